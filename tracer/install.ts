// Installs the function tracer in this thread: the runtime at
// globalThis[Symbol.for('sonde.tracer')], the module load hook (every module Node's loaders
// read), the CommonJS _compile hook (source that other loaders compile themselves),
// Function.prototype.toString showing instrumented functions' original source, and the
// flushes: at exit (every thread), on SIGINT/SIGTERM (main thread; when the app has no
// handler of its own the signal is re-raised after the flush, so the process still dies by
// it exactly as before) and on demand (flushFunctionTrace()).
// From the environment (`-r sonde/register`): SONDE_TRACE=PATTERN, SONDE_TRACE_OUT=FILE,
// SONDE_TRACE_BUFFER_BYTES=N.
import * as path from 'node:path'
import { isMainThread } from 'node:worker_threads'
import { debuglog } from 'node:util'
import { installCjsHook } from './cjs-hook'
import { isModuleHooksThread } from './hooks-thread'
import { installLoadHook } from './load-hook'
import { compileModuleFilter } from './module-pattern'
import { recordMatches, REPORT_ENV } from './match-report'
import { createRegistry, TRACER_KEY } from './module-tracer'
import { installToStringHook } from './original-source'
import { TracerRuntime, type FuncProbe } from './runtime'
import { DEFAULT_BUFFER_BYTES } from './trace-buffer'
import { setting } from '../runtime/config'
import { addSignalFlush } from './signal-flush'
import { appendSection, createTraceFile, takeSection, type SectionState } from './trace-file'

const debug = debuglog('sonde')
const INSTALLED = Symbol.for('sonde.tracer.installed')
/** Set in the environment by the process that created the trace file, so its children append. */
const FILE_OWNER_ENV = 'SONDE_TRACE_CREATED' as const

export interface FunctionTracerOptions {
  /** Glob(s) or /regex/ on module paths; default: the app's own files. */
  pattern?: string
  /** Trace file; default sonde-<pid>.trace in the working directory. */
  out?: string
  bufferBytes?: number
  entryProbe?: FuncProbe
  returnProbe?: FuncProbe
}

export interface FunctionTracer {
  readonly runtime: TracerRuntime
  readonly out: string
  /** Appends everything buffered so far to the trace file. */
  flush(): void
  uninstall(): void
}

/** Installs the tracer in this thread (once; later calls return the first). Throws only on bad options. */
export function installFunctionTracer(opts: FunctionTracerOptions = {}): FunctionTracer {
  const g = globalThis as unknown as Record<symbol, FunctionTracer | undefined>
  const existing = g[INSTALLED]
  if (existing) return existing
  let filter = compileModuleFilter(opts.pattern)
  const reportFile = isMainThread ? setting('SONDE_TRACE_REPORT') : undefined
  let writeReport = (): void => {}
  if (reportFile) {
    delete process.env[REPORT_ENV] // the app's own node children must not overwrite it
    const rec = recordMatches(filter, opts.pattern ?? '', reportFile)
    filter = rec.filter
    writeReport = rec.write
  }
  const out = path.resolve(opts.out ?? `sonde-${process.pid}.trace`)
  const bufferBytes = opts.bufferBytes ?? DEFAULT_BUFFER_BYTES
  if (!(bufferBytes > 0)) throw new Error(`invalid trace buffer size ${bufferBytes}`)
  const rt = new TracerRuntime(bufferBytes, opts.entryProbe, opts.returnProbe)
  ;(globalThis as unknown as Record<symbol, unknown>)[TRACER_KEY] = createRegistry(rt)
  if (isMainThread && setting(FILE_OWNER_ENV) !== out) {
    try { createTraceFile(out); process.env[FILE_OWNER_ENV] = out } catch (e) { debug('tracer: cannot create %s: %s', out, (e as Error).message) }
  }
  const state: SectionState = { section: 0, droppedBlocks: 0, droppedEvents: 0 }
  const flush = (final = false): void => {
    try { appendSection(out, takeSection(rt, state, final)) } catch (e) { debug('tracer: flush failed: %s', (e as Error).message) }
    if (final) writeReport()
  }
  const onExit = (): void => flush(true)
  process.on('exit', onExit)
  const removeSignalFlush = isMainThread ? addSignalFlush(() => flush(true)) : () => {}
  const uninstallCjs = installCjsHook(filter)
  const uninstallToString = installToStringHook()
  let uninstallLoad: (() => void) | undefined
  try {
    uninstallLoad = installLoadHook(filter)
    if (!uninstallLoad) debug('tracer: module.registerHooks unavailable: only CommonJS is traced')
  } catch (e) { debug('tracer: module.registerHooks failed: %s', (e as Error).message) }
  const tracer: FunctionTracer = {
    runtime: rt,
    out,
    flush: () => flush(false),
    uninstall: () => {
      uninstallCjs()
      try { uninstallLoad?.() } catch (e) { debug('tracer: deregistering the load hook failed: %s', (e as Error).message) }
      uninstallToString()
      process.removeListener('exit', onExit)
      removeSignalFlush()
    },
  }
  g[INSTALLED] = tracer
  return tracer
}

/**
 * sondeProbes.func__entry / func__return when the static probes are available (loaded
 * lazily and guarded: without them, or without the addon, the tracer just records).
 */
function staticFuncProbes(): { entry: FuncProbe; ret: FuncProbe } | undefined {
  try {
    const sp = require('../probes/static-probes') as typeof import('../probes/static-probes')
    const entry = sp.sondeProbes?.func__entry, ret = sp.sondeProbes?.func__return
    return entry && ret ? { entry, ret } : undefined
  } catch (e) {
    debug('tracer: static probes unavailable: %s', (e as Error).message)
    return undefined
  }
}

/** Installs from SONDE_TRACE / SONDE_TRACE_OUT / SONDE_TRACE_BUFFER_BYTES when SONDE_TRACE is set. */
export function installFunctionTracerFromEnv(probes?: { entry: FuncProbe; ret: FuncProbe }): FunctionTracer | undefined {
  const pattern = setting('SONDE_TRACE')
  if (pattern === undefined || isModuleHooksThread()) return undefined
  probes ??= staticFuncProbes()
  return installFunctionTracer({
    pattern: pattern === '1' || pattern === 'true' ? undefined : pattern,
    out: setting('SONDE_TRACE_OUT'),
    bufferBytes: setting('SONDE_TRACE_BUFFER_BYTES'),
    entryProbe: probes?.entry,
    returnProbe: probes?.ret,
  })
}

/** Appends what this thread's tracer buffered so far to its file; false when no tracer. */
export function flushFunctionTrace(): boolean {
  const t = (globalThis as unknown as Record<symbol, FunctionTracer | undefined>)[INSTALLED]
  if (!t) return false
  t.flush()
  return true
}
