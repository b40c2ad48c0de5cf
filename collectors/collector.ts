// What every collector is (`Collector`) and the start/stop lifecycle they share. A collector's
// `acquire` runs on start(): it subscribes, starts timers and hooks, and hands each one's
// release to `hold`; stop() releases them in the order they were held (subscriptions first, so
// nothing a releasing hook flushes reaches a stopped collector), and the first fault its guard
// catches stops it (collector-guard.ts). start() re-arms the guard; a second start() while
// running does nothing. A release that throws is ignored: it is already gone.
import type { CollectorName } from './config'
import { createCollectorGuard, type CollectorGuard } from './collector-guard'

export interface Collector<S = unknown> {
  readonly name: CollectorName
  readonly guard: CollectorGuard
  readonly running: boolean
  start(): void
  stop(): void
  /** Plain JSON of what it aggregated so far. */
  snapshot(): S
}

/** Keeps `release` until stop() (released at once when the collector was stopped meanwhile). */
export type Hold = (release: (() => void) | undefined) => void

export interface Lifecycle {
  readonly guard: CollectorGuard
  readonly running: boolean
  start(): void
  stop(): void
}

export function collectorLifecycle(name: string, acquire: (hold: Hold) => void): Lifecycle {
  const guard = createCollectorGuard(name)
  let held: (() => void)[] = []
  const release = (r: () => void): void => { try { r() } catch { /* already gone */ } }
  const hold: Hold = (r) => {
    if (!r) return
    if (life.running) held.push(r)
    else release(r)  // a fault during acquire stopped the collector
  }
  const life = {
    guard,
    running: false,
    start(): void {
      if (life.running) return
      life.running = true
      guard.rearm()
      acquire(hold)
    },
    stop(): void {
      life.running = false
      const all = held
      held = []
      for (const r of all) release(r)
    },
  }
  guard.onTrip(life.stop)
  return life
}
