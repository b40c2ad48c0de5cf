// Loads the native addon built for this Node (probes/native-path.ts says where it is looked
// for). When none fits or it cannot load, a stub with the same shape takes its place (every
// semaphore reads 0, fires do nothing) and addonStatus() says why: never a silent stub. A binary
// that exists but was built for another Node also gives one process warning (main thread),
// since the app then runs without probes although sonde was installed with them.
// SONDE_ADDON_PATH overrides the path (tests use it to force the stub).
import fs from 'node:fs'
import path from 'node:path'
import { debuglog } from 'node:util'
import { probeKey, staticProbes } from './catalogue'
import { builtAbi, locateNative, nodeMajorOfAbi, packageRoot } from './native-path'
import { setting } from '../runtime/config'
import { isMainThread } from '../runtime/thread'

const debug = debuglog('sonde')

export interface RawAllocSample {
  bytes: number
  functionName: string
  url: string
  line: number
  /** "fn url:line", leaf first, bounded depth. */
  stack: string[]
}

export interface NativeAddon {
  /** The .probes semaphore array (one u16 per catalogue probe, catalogue order). */
  semaphores: ArrayBuffer
  probeIndex: Record<string, number>
  fire: Record<string, (...args: unknown[]) => void>
  faults(): number
  benchEmpty(): void
  isolateAddress(): string
  gcRingStart(drain: () => void): boolean
  gcRingStop(): void
  gcDrain(out: Float64Array): number
  /** [dropped ring records, unpaired epilogues, current nesting depth] */
  gcStats(): [number, number, number]
  allocStart(intervalBytes: number, stackDepth: number): boolean
  allocPoll(maxStack: number): RawAllocSample[]
  /** [samples seen, profiler restarts] */
  allocStats(): [number, number]
  allocStop(): void
  /** Cells written by costRead/costReadHeap and the GC callbacks (COST_* indices in request-context.ts); absent when the addon could not allocate them. */
  costCells?: Float64Array
  /** costCells[COST_CPU_NS] = this thread's CPU time, ns. */
  costRead?(): void
  /** costRead, and costCells[COST_HEAP_USED] = V8's used heap, bytes. */
  costReadHeap?(): void
  /** costCells[COST_WALL_NS] = CLOCK_MONOTONIC, ns (process.hrtime's clock). */
  costWallRead?(): void
  /** Starts this thread's native loop-delay timer (every resolutionMs); its cells: [0] samples written, [1 + i % 1024] sample i, ns late. */
  loopDelayStart?(resolutionMs: number): Float64Array | undefined
  loopDelayStop?(): void
  /** libuv's idle time of this thread's loop, ns (uv_metrics_idle_time). */
  loopIdleNs?(): number
}

export interface AddonStatus { loaded: boolean; path: string; error?: string }

let addon: NativeAddon | undefined
let status: AddonStatus = { loaded: false, path: '' }

/** How to get an addon for this Node, for messages. */
export const rebuildHint = `rebuild it for this Node: node ${packageRoot}/scripts/build-native.js (needs python3, make, g++)`

function warnOnce(message: string): void {
  if (!isMainThread()) return
  try { process.emitWarning(message, { code: 'SONDE_ADDON_ABI' }) } catch { /* never throw into the app */ }
}

/** The binary to load, or a reason why there is none. */
function pick(): { file?: string; tried?: string; error?: string; wrongAbi?: boolean } {
  const forced = setting('SONDE_ADDON_PATH')
  if (forced) {
    const file = path.resolve(forced)
    if (!fs.existsSync(file)) return { tried: file, error: `not built: ${file} missing` }
    const built = builtAbi(file)
    const abi = Number(process.versions.modules)
    if (built !== undefined && built !== abi) {
      return { tried: file, wrongAbi: true, error: `${file} was built for Node ${nodeMajorOfAbi(built)} (ABI ${built}), this is Node ${process.versions.node} (ABI ${abi}); ${rebuildHint}` }
    }
    return { file }
  }
  const found = locateNative('sonde')
  if (found.file) return { file: found.file }
  const wrong = found.passed.filter((p) => p.why !== 'missing')
  if (wrong.length) return { wrongAbi: true, error: `no native addon for Node ${process.versions.node}: ${wrong.map((p) => `${p.file} ${p.why}`).join('; ')}; ${rebuildHint}` }
  return { error: `not built: ${found.passed.map((p) => p.file).join(' or ')} missing (${rebuildHint})` }
}

function stub(): NativeAddon {
  const noop = (): void => {}
  const fire: Record<string, (...args: unknown[]) => void> = {}
  const probeIndex: Record<string, number> = {}
  staticProbes.forEach((p, i) => { fire[probeKey(p)] = noop; probeIndex[probeKey(p)] = i })
  return {
    semaphores: new ArrayBuffer(staticProbes.length * 2), probeIndex, fire,
    faults: () => 0, benchEmpty: noop, isolateAddress: () => '',
    gcRingStart: () => false, gcRingStop: noop, gcDrain: () => 0, gcStats: () => [0, 0, 0],
    allocStart: () => false, allocPoll: () => [], allocStats: () => [0, 0], allocStop: noop,
  }
}

function load(): NativeAddon {
  const { file, tried, error, wrongAbi } = pick()
  if (!file) {
    status = { loaded: false, path: tried ?? '', error }
    debug('addon not loaded: %s', error)
    if (wrongAbi) warnOnce(`sonde: native probes off: ${error}`)
    return stub()
  }
  try {
    // process.dlopen, not require(): the loader would resolve and realpath the file's path, and
    // on Node 24+ node:path's separator test goes to Maglev once ~300 characters of paths have
    // been normalised (~2.5 MB of peak RSS in a program that loads little else).
    const m = { exports: {} as NativeAddon }
    process.dlopen(m, file)
    const a = m.exports
    if (a.semaphores.byteLength !== staticProbes.length * 2 || Object.keys(a.fire).length !== staticProbes.length) {
      throw new Error(`built from a different catalogue (${a.semaphores.byteLength / 2} probes, catalogue has ${staticProbes.length}); rebuild with node scripts/build-native.js`)
    }
    status = { loaded: true, path: file }
    return a
  } catch (err) {
    status = { loaded: false, path: file, error: (err as Error)?.message ?? String(err) }
    debug('addon load failed: %s', status.error)
    if ((err as { code?: string })?.code === 'SONDE_ADDON_ABI') warnOnce(`${status.error}; native probes off; ${rebuildHint}`)
    return stub()
  }
}

/** The addon for this thread (each worker loads its own instance). */
export function nativeAddon(): NativeAddon {
  if (!addon) addon = load()
  return addon
}

export function addonStatus(): AddonStatus {
  nativeAddon()
  return { ...status }
}
