// Decides when a hook is live: a hook subscribes (to diagnostics_channel, a timer, ...) only
// while one of its probes is enabled (a tracer set the probe's semaphore) or one of its event
// sources has a listener (a collector). Nothing tells us when bpftrace attaches, so one shared,
// unref'd timer polls: every POLL_MS it reads a few Uint16 semaphores through `probe.enabled`
// (one memory load each) and calls the gate's on/off on a change.
//
// Why 1 s: bpftrace itself takes 1-3 s to attach, so a tracer misses at most the first second
// after attaching; the poll rides the thread's one shared timer (runtime/ticker.ts), whose single
// wake-up a second is what an idle process pays for all of sonde's periodic work (a 250 ms poll
// alone cost ~75 k instructions a second idle, under callgrind). The timer is unref'd so it
// never keeps the process alive. Tests and the trace-control helper call pollGates() instead of
// waiting.
import { every } from '../ticker'

/** What a hook needs from a static probe (probes/static-probes.ts StaticProbe). */
export interface Fireable<A extends unknown[]> {
  readonly enabled: boolean
  fire(...args: A): void
}

export interface Listened { readonly active: boolean }

export const POLL_MS = 1000

interface Gate { wanted(): boolean; set(live: boolean): void; live: boolean }

const gates = new Set<Gate>()
let stopTimer: (() => void) | undefined

function poll(): void {
  for (const g of gates) {
    let want: boolean
    try { want = g.wanted() } catch { want = false }
    if (want !== g.live) {
      g.live = want
      try { g.set(want) } catch { /* the hook's own guard counts it */ }
    }
  }
}

/**
 * Calls `set(true)` when any probe is enabled or any source active, `set(false)` when none is.
 * Evaluated once now, then every POLL_MS. Returns the function that removes the gate (and
 * calls `set(false)` if it was live).
 */
const watched = new WeakSet<object>()

/**
 * A collector subscribing should not wait for the next poll (it would miss up to POLL_MS of
 * events): wrap the source's subscribe once so (un)subscribing re-evaluates the gates at once.
 */
function watch(source: Listened): void {
  const s = source as Listened & { subscribe?: (l: (e: never) => void) => () => void }
  if (watched.has(s) || typeof s.subscribe !== 'function') return
  watched.add(s)
  const subscribe = s.subscribe.bind(s)
  s.subscribe = (listener) => {
    const off = subscribe(listener)
    poll()
    return () => { off(); poll() }
  }
}

export function gateOn(probes: readonly (Fireable<never[]> | Fireable<any[]>)[], sources: readonly Listened[],
  set: (live: boolean) => void): () => void {
  const gate: Gate = {
    wanted: () => probes.some((p) => p.enabled) || sources.some((s) => s.active),
    set,
    live: false,
  }
  gates.add(gate)
  for (const s of sources) watch(s)
  poll()
  stopTimer ??= every(POLL_MS, poll)
  return () => {
    if (!gates.delete(gate)) return
    if (gate.live) { gate.live = false; try { set(false) } catch { /* counted by the hook */ } }
    if (gates.size === 0 && stopTimer) { stopTimer(); stopTimer = undefined }
  }
}

/** Re-evaluates every gate now (tests, and after a collector subscribes). */
export function pollGates(): void { poll() }
