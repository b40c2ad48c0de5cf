// `node -r sonde/register app.js` / `node --import sonde/register app.js`:
// installs the runtime hooks that fire probes and feed collectors, in the main thread and in
// every worker (workers inherit execArgv, so the preload runs there too), but not in Node's
// module-hooks thread, which runs preloads and no app code. Idempotent per
// thread: loaded twice (e.g. -r and --import, or two copies of sonde) it installs once.
// Loading the addon registers its V8 GC callbacks (gc/heap probes fire natively); the GC ring
// and the allocation sampler are owned by their event sources (runtime/gc-ring.ts,
// runtime/alloc-sampler.ts), running only while a collector subscribes or a tracer's probe
// (the alloc hook) retains them.
// Never throws into the host: each part is loaded and started inside its own try (a module
// that fails to load must not take the app down either, so they are required lazily); a
// failure is logged with NODE_DEBUG=sonde and the rest runs on. Without the native addon the
// static probes are a stub of the same shape (never enabled) and the collectors still work.
import { debuglog } from 'node:util'
import type { RuntimeProbeSet } from './runtime/hooks/install-hooks'

const debug = debuglog('sonde')
const INSTALLED = Symbol.for('sonde.register.installed')

interface Installed { uninstall: () => void }

function attempt<T>(what: string, fn: () => T): T | undefined {
  try { return fn() } catch (err) { debug('register: %s failed: %s', what, (err as Error)?.stack ?? err); return undefined }
}

function probeSet(hooks: typeof import('./runtime/hooks/install-hooks')): RuntimeProbeSet {
  const sp = attempt('loading static probes', () => require('./probes/static-probes') as typeof import('./probes/static-probes'))
  return sp ? { sonde: sp.sondeProbes, node: sp.nodeProbes } : hooks.disabledProbeSet()
}

function register(): void {
  const g = globalThis as unknown as Record<symbol, Installed | undefined>
  if (g[INSTALLED]) return
  const undo: (() => void)[] = []
  g[INSTALLED] = { uninstall: () => { for (const u of undo.splice(0).reverse()) attempt('uninstall', u) } }
  const hooks = attempt('loading hooks', () => require('./runtime/hooks/install-hooks') as typeof import('./runtime/hooks/install-hooks'))
  if (hooks) {
    const u = attempt('installing hooks', () => hooks.installRuntimeHooks(probeSet(hooks)))
    if (u) undo.push(u)
  }
  // SONDE_COLLECT; warns instead of throwing
  attempt('starting collectors', () => (require('./collectors/env-start') as typeof import('./collectors/env-start')).startCollectorsFromEnv())
  // SONDE_DASHBOARD=PORT: the full dashboard (web/), which serves /api/snapshot and /metrics too
  // Loaded only when set: its module graph (dashboard token, listen checks) is ~5 MB of RSS.
  if ((require('./runtime/config') as typeof import('./runtime/config')).isSet('SONDE_DASHBOARD')) attempt('starting dashboard', () => (require('./web/server/env-dashboard') as typeof import('./web/server/env-dashboard')).startDashboardFromEnv())
}

function registerTracer(): void {
  // SONDE_TRACE=PATTERN / SONDE_TRACE_OUT=FILE: the function tracer (tracer), in every thread.
  // Loaded only then: the tracer's instrumenter (acorn, magic-string, source maps) is ~1.5 MB of
  // heap that every mark-compact of an untraced app would walk.
  if (!(require('./runtime/config') as typeof import('./runtime/config')).isSet('SONDE_TRACE')) return  // set, even empty (= every module)
  try { (require('./tracer/install') as typeof import('./tracer/install')).installFunctionTracerFromEnv() } catch (err) { debug('function tracer not installed: %s', (err as Error)?.message ?? err) }
}

// Node's module-hooks thread runs this preload too but never the app: nothing to install there
// (a second addon, GC ring, collectors or dashboard would only double what the app's threads report).
const hooksThread = attempt('checking for the module-hooks thread', () => (require('./tracer/hooks-thread') as typeof import('./tracer/hooks-thread')).isModuleHooksThread())
if (hooksThread) debug('register: module-hooks thread, nothing installed')
else {
  // First, before the rest of sonde loads: the addon, whose load registers the GC
  // callbacks and starts recording GCs (kept for the GC collector's first subscription), so the
  // garbage sonde's own start-up makes is counted like the app's.
  attempt('loading the addon', () => (require('./probes/addon') as typeof import('./probes/addon')).nativeAddon())
  attempt('register', register)
  // No GC consumer started with register: stop recording the start-up GCs (a collector started
  // later counts from its own start).
  attempt('ending start-up GC records', () => (require('./runtime/gc-ring') as typeof import('./runtime/gc-ring')).endStartupGcRecords())
  registerTracer()
}
