// Runs what needs node:worker_threads in the main thread (the worker-message hook, the collectors'
// worker bridge) when the app can first hold a port or start a worker, not at start-up: that
// module brings Node's streams with it (runtime/thread.ts), ~2.3-2.6 MB of peak RSS for a program
// that never uses either. In a worker, or where the port module is loaded already, that is now.
// Otherwise the callbacks run at the first of these, each before the app can hold a port:
// - the end of a require() after which the port module is loaded (the module.require tracing
//   channel, published before require returns): require('node:worker_threads'), or a module
//   that loaded it; the callbacks patch the module's exports in place, so the app gets the
//   patched ones;
// - process.getBuiltinModule() likewise (it publishes no channel);
// - the first ES module import (the module.import tracing channel, at its start): the static
//   imports of an ES module graph are linked without a channel of their own, so the callbacks
//   run before the graph loads;
// - the first read of the global MessageChannel, the one global that hands out ports. Node
//   defines it as a lazy property that loads the port module on any access, even a descriptor
//   read, but not on delete: it is deleted and replaced by an accessor that runs the callbacks,
//   then holds worker_threads' MessageChannel (the same class) as a plain value again.
// Where Node publishes no module.require channel (checked by one require), or exposes a global
// Worker (a web Worker, which the accessor could not restore), the callbacks run at once.
import diagnostics_channel from 'node:diagnostics_channel'
import { debuglog } from 'node:util'
import { portsLoaded, workerThreads } from './thread'

const debug = debuglog('sonde')
const REQUIRE_END = 'tracing:module.require:end'
const IMPORT_START = 'tracing:module.import:start'

const queue: (() => void)[] = []
let disarm: (() => void) | undefined

function fire(): void {
  if (!disarm) return
  const undo = disarm
  disarm = undefined
  // Runs inside the app's require, import or global read: nothing may throw out of here.
  try { undo() } catch (err) { debug('ports-ready: %s', (err as Error)?.stack ?? err) }
  for (const fn of queue.splice(0)) {
    try { fn() } catch (err) { debug('ports-ready: %s', (err as Error)?.stack ?? err) }
  }
}

const onRequireEnd = (): void => { if (portsLoaded()) fire() }
const onImportStart = (): void => fire()

/** Whether a require() publishes on the module.require channel in this Node. */
function requireChannelWorks(): boolean {
  let seen = false
  const probe = (): void => { seen = true }
  diagnostics_channel.subscribe(REQUIRE_END, probe)
  try { require('node:util') } finally { diagnostics_channel.unsubscribe(REQUIRE_END, probe) }
  return seen
}

/** process.getBuiltinModule wrapped to fire once the port module is loaded; returns the undo. */
function wrapGetBuiltinModule(): () => void {
  const p = process as unknown as { getBuiltinModule?: (id: string) => unknown }
  const orig = p.getBuiltinModule
  if (typeof orig !== 'function') return () => {}
  const getBuiltinModule = function (this: unknown, ...args: unknown[]): unknown {
    const mod = Reflect.apply(orig, this, args)
    if (disarm && portsLoaded()) fire()
    return mod
  }
  p.getBuiltinModule = getBuiltinModule
  return () => { if (p.getBuiltinModule === getBuiltinModule) p.getBuiltinModule = orig }
}

/** The global MessageChannel replaced by an accessor that fires; returns the undo. */
function trapGlobalChannel(): () => void {
  const g = globalThis as unknown as Record<string, unknown>
  if (!Object.prototype.hasOwnProperty.call(g, 'MessageChannel') || !delete g.MessageChannel) return () => {}
  const hold = (value: unknown): void => {
    Object.defineProperty(g, 'MessageChannel', { value, writable: true, enumerable: false, configurable: true })
  }
  // After fire() the global is a plain value again (its undo below); read it without recursing.
  const get = (): unknown => { fire(); return Object.getOwnPropertyDescriptor(g, 'MessageChannel')?.value }
  Object.defineProperty(g, 'MessageChannel', { get, set: hold, enumerable: false, configurable: true })
  return () => {
    if (Object.getOwnPropertyDescriptor(g, 'MessageChannel')?.get === get) hold(workerThreads().MessageChannel)
  }
}

/** Arms the triggers; false (callbacks to run at once) where they cannot all be armed. */
function arm(): boolean {
  try {
    return armTriggers()
  } catch (err) {
    debug('ports-ready: triggers not armed, running at once: %s', (err as Error)?.message ?? err)
    diagnostics_channel.unsubscribe(REQUIRE_END, onRequireEnd)
    diagnostics_channel.unsubscribe(IMPORT_START, onImportStart)
    return false
  }
}

function armTriggers(): boolean {
  if (Object.prototype.hasOwnProperty.call(globalThis, 'Worker') || !requireChannelWorks()) return false
  diagnostics_channel.subscribe(REQUIRE_END, onRequireEnd)
  diagnostics_channel.subscribe(IMPORT_START, onImportStart)
  const unwrap = wrapGetBuiltinModule()
  const untrap = trapGlobalChannel()
  disarm = () => {
    diagnostics_channel.unsubscribe(REQUIRE_END, onRequireEnd)
    diagnostics_channel.unsubscribe(IMPORT_START, onImportStart)
    unwrap()
    untrap()
  }
  return true
}

/**
 * Runs `fn` once this thread can hold a port: now in a worker or once the port module is loaded,
 * else at the first trigger above. Returns a cancel for a `fn` that has not run yet (the triggers
 * stay armed: undoing the global's accessor would load the port module).
 */
export function whenPortsLoaded(fn: () => void): () => void {
  if (!disarm && (portsLoaded() || !arm())) {
    fn()
    return () => {}
  }
  queue.push(fn)
  return () => {
    const i = queue.indexOf(fn)
    if (i >= 0) queue.splice(i, 1)
  }
}

/** `install` run when ports are loaded; the returned undo cancels it or undoes what it installed. */
export function installWhenPortsLoaded(install: () => () => void): () => void {
  let undo: (() => void) | undefined
  let cancelled = false
  const cancel = whenPortsLoaded(() => { if (!cancelled) undo = install() })
  return () => {
    cancelled = true
    cancel()
    if (undo) { const u = undo; undo = undefined; u() }
  }
}
