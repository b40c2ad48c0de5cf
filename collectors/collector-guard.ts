// The fault guard of a collector (runtime/fault-guard.ts with the collector limits): its
// listeners and timers run behind it; the first fault switches the whole collector off (its
// stop()) with ONE SONDE_COLLECTOR_FAULT warning, and start() re-arms it. Collectors catch in
// their own listeners rather than leaving it to runtime-events, so that a faulty collector
// stops all of its subscriptions and timers together, not one listener.
import { createFaultGuard, FAULT_LIMITS, type FaultGuard } from '../runtime/fault-guard'

export { guardedInterval } from '../runtime/fault-guard'
export const COLLECTOR_FAULT_CODE = FAULT_LIMITS.collector.code
export type CollectorGuard = FaultGuard

export function createCollectorGuard(name: string): CollectorGuard {
  return createFaultGuard(name, FAULT_LIMITS.collector)
}
