// The one fault breaker every host-facing callback of sonde runs behind (hook callbacks,
// event-source listeners, the GC ring's drain, the allocation sampler's poll, collectors'
// listeners and timers): a fault is caught and counted, never thrown into the application;
// after `maxFaults` faults since it was (re)armed the guard trips: `on` turns false, its
// onTrip action (an uninstall, a stop) runs, and ONE process.emitWarning with the breaker's
// stable code is emitted (once per guard, even when re-armed and tripped again).
//
// FAULT_LIMITS is the table of the five breakers. Their thresholds differ on purpose: a
// collector trips on its first fault (a half-updated aggregate is wrong from then on, and its
// start() re-arms it); a hook tolerates a few (it only forwards events, and switching it off
// silences probes and every collector behind it); the native paths and a single listener
// tolerate ten (a transient native failure, one bad listener among several).
import { debuglog } from 'node:util'
import { every } from './ticker'

const debug = debuglog('sonde')

export interface FaultLimits {
  /** Faults since the guard was (re)armed after which it trips; 1 = the first. */
  readonly maxFaults: number
  /** The warning's stable code: one per breaker. */
  readonly code: string
  /** The warning's text, from the guard's name, its fault count and the last fault's message. */
  readonly warning: (name: string, faults: number, why: string) => string
}

export const FAULT_LIMITS = {
  hook: { maxFaults: 5, code: 'SONDE_HOOK_FAULT', warning: (name, n, why) => `sonde: the ${name} hook faulted ${n} times and was switched off (last: ${why})` },
  listener: { maxFaults: 10, code: 'SONDE_LISTENER_FAULT', warning: (name, n, why) => `sonde: a ${name} listener threw ${n} times and was switched off: ${why}` },
  gcHook: { maxFaults: 10, code: 'SONDE_GC_HOOK_FAULT', warning: (_name, n, why) => `sonde: GC hook failed ${n} times and was switched off: ${why}` },
  allocSampler: { maxFaults: 10, code: 'SONDE_ALLOC_SAMPLER_FAULT', warning: (_name, n, why) => `sonde: allocation sampler failed ${n} times and was stopped: ${why}` },
  collector: { maxFaults: 1, code: 'SONDE_COLLECTOR_FAULT', warning: (name, _n, why) => `sonde: the ${name} collector threw and was switched off: ${why}` },
} as const satisfies Record<string, FaultLimits>

export interface FaultGuard {
  readonly name: string
  /** Faults caught so far (never reset). */
  readonly faults: number
  /** False once the guard tripped: the guarded callbacks must become pass-through. */
  readonly on: boolean
  /** Runs `fn`, returning its result, or `undefined` when off or after catching a fault. */
  run<R>(fn: () => R): R | undefined
  /** Wraps a listener or timer callback: skipped when off, its faults caught. */
  wrap<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void
  /** Records a fault caught elsewhere (a hot path with its own try/catch). */
  fault(err: unknown): void
  /** Sets what tripping does (an uninstall, a stop). */
  onTrip(off: () => void): void
  /** Switches the guard back on (an explicit start); the warning is not repeated. */
  rearm(): void
}

export function createFaultGuard(name: string, limits: FaultLimits): FaultGuard {
  let faults = 0, sinceArm = 0, warned = false
  let off: (() => void) | undefined
  // `on` is a plain field: hot paths read it per event (a getter here ran as its own call in perf profiles).
  const guard: FaultGuard & { on: boolean } = {
    name,
    on: true,
    get faults() { return faults },
    run(fn) {
      if (!guard.on) return undefined
      try { return fn() } catch (err) { guard.fault(err); return undefined }
    },
    wrap(fn) {
      // `arguments` + apply rather than rest/spread: no array per call on the per-event path.
      return function (this: unknown) {
        if (!guard.on) return
        // eslint-disable-next-line prefer-rest-params -- see above: no array per call
        try { fn.apply(this, arguments as unknown as Parameters<typeof fn>) } catch (err) { guard.fault(err) }
      }
    },
    fault(err) {
      faults++
      sinceArm++
      debug('%s fault %d: %s', name, faults, (err as Error)?.stack ?? err)
      if (!guard.on || sinceArm < limits.maxFaults) return
      guard.on = false
      try { off?.() } catch (e) { debug('%s: switching off failed: %s', name, e) }
      if (warned) return
      warned = true
      try {
        process.emitWarning(limits.warning(name, faults, (err as Error)?.message ?? String(err)), { code: limits.code })
      } catch { /* a throwing 'warning' listener must not reach the host either */ }
    },
    onTrip(fn) { off = fn },
    rearm() { sinceArm = 0; guard.on = true },
  }
  return guard
}

/** A guarded periodic job on the thread's one shared, unref'd timer (ticker.ts); returns its clear function. */
export function guardedInterval(guard: FaultGuard, ms: number, fn: () => void): () => void {
  return every(ms, guard.wrap(fn))
}
