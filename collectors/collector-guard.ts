// Guards a collector's callbacks (event listeners, timers): a fault is caught and counted,
// never thrown into the host; the first fault switches the whole collector off (its stop())
// and emits ONE process.emitWarning with the stable code SONDE_COLLECTOR_FAULT.
// We catch in our own listeners rather than leaving it to runtime-events, so that a faulty
// collector stops all of its subscriptions and timers together, not one listener.
import { every } from '../runtime/ticker'
import { debuglog } from 'node:util'

const debug = debuglog('sonde')

export const COLLECTOR_FAULT_CODE = 'SONDE_COLLECTOR_FAULT'

export interface CollectorGuard {
  readonly faults: number
  readonly on: boolean
  /** Wrap a listener or timer callback. */
  wrap<A extends unknown[]>(fn: (...args: A) => void): (...args: A) => void
  fault(err: unknown): void
  /** What switching off does (the collector's stop). */
  onTrip(off: () => void): void
  /** Re-arm after an explicit start(). */
  rearm(): void
}

export function createCollectorGuard(name: string): CollectorGuard {
  let faults = 0
  let warned = false
  let off: (() => void) | undefined
  // `on` is a plain field: listeners read it per event (a getter here ran as its own call in perf profiles).
  const guard: CollectorGuard & { on: boolean } = {
    on: true,
    get faults() { return faults },
    wrap(fn) {
      // `arguments` + apply rather than rest/spread: no array per call on the per-event path.
      return function (this: unknown) {
        if (!guard.on) return
        // eslint-disable-next-line prefer-rest-params
        try { fn.apply(this, arguments as unknown as Parameters<typeof fn>) } catch (err) { guard.fault(err) }
      }
    },
    fault(err) {
      faults++
      debug('collector %s fault %d: %s', name, faults, (err as Error)?.stack ?? err)
      if (!guard.on) return
      guard.on = false
      try { off?.() } catch (e) { debug('collector %s stop failed: %s', name, e) }
      if (warned) return
      warned = true
      try {
        process.emitWarning(`sonde: the ${name} collector threw and was switched off: ${(err as Error)?.message ?? String(err)}`,
          { code: COLLECTOR_FAULT_CODE })
      } catch { /* a throwing 'warning' listener must not reach the host */ }
    },
    onTrip(fn) { off = fn },
    rearm() { guard.on = true },
  }
  return guard
}

/** A guarded periodic job on the thread's one shared, unref'd timer (runtime/ticker.ts); returns its clear function. */
export function guardedInterval(guard: CollectorGuard, ms: number, fn: () => void): () => void {
  return every(ms, guard.wrap(fn))
}
