// Installs every runtime hook of `sonde/register` in this thread (main or worker) and returns
// the function that removes them all. Each hook is installed on its own: one that fails to
// install is skipped (debuglog), the others still run.
import { debuglog } from 'node:util'
import { installHttpHook, type HttpProbeSet } from './http-hook'
import { installLoopLagHook, type LoopLagProbeSet } from './loop-lag-hook'
import type { MessageProbeSet } from './message-hook'
import { installAllocHook, type AllocProbeSet } from './alloc-hook'
import type { Fireable } from './probe-gate'
import { installWhenPortsLoaded } from '../ports-ready'

const debug = debuglog('sonde')

export interface RuntimeProbeSet {
  sonde: HttpProbeSet['sonde'] & MessageProbeSet & LoopLagProbeSet & AllocProbeSet
  node: HttpProbeSet['node']
}

/** Probes that are never enabled: what hooks get when the addon is not available. */
export const disabledProbe: Fireable<any[]> = { enabled: false, fire() { /* no addon */ } }

export function disabledProbeSet(): RuntimeProbeSet {
  const d = disabledProbe
  return {
    sonde: { http__server__request: d, http__server__response: d, http__client__request: d, http__client__response: d, msg__send: d, msg__receive: d, loop__lag: d, alloc__sample: d },
    node: { http__server__request: d, http__server__response: d, http__client__request: d, http__client__response: d },
  }
}

export function installRuntimeHooks(probes: RuntimeProbeSet, extra: (() => () => void)[] = []): () => void {
  const installs: [string, () => () => void][] = [
    ['http', () => installHttpHook(probes)],
    // In the main thread, when the app can first hold a port (runtime/ports-ready.ts): the hook
    // needs node:worker_threads, which a program without workers or ports should not load.
    ['message', () => installWhenPortsLoaded(() => (require('./message-hook') as typeof import('./message-hook')).installMessageHook(probes.sonde))],
    ['loop-lag', () => installLoopLagHook(probes.sonde)],
    // gc/heap probes fire from the addon's own GC callbacks; gcEvents (runtime/gc-ring.ts)
    // starts the ring for collectors itself
    ['alloc', () => installAllocHook(probes.sonde)],
    ...extra.map((f, i): [string, () => () => void] => [`extra-${i}`, f]),
  ]
  const undo: (() => void)[] = []
  for (const [name, install] of installs) {
    try { undo.push(install()) } catch (err) { debug('hook %s not installed: %s', name, (err as Error)?.stack ?? err) }
  }
  return () => { for (const u of undo.reverse()) { try { u() } catch (err) { debug('hook uninstall failed: %s', err) } } }
}
