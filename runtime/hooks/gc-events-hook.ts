// GC events for collectors. The addon registers its V8 GC prologue/epilogue callbacks in every
// isolate it is loaded into (register loads it in each thread), and those fire gc__start,
// gc__done, heap__grow/shrink and node:gc__* by themselves, gated by the semaphores: nothing
// in JS is needed for the probes. What costs something is the ring that copies every GC to JS
// (two GetHeapStatistics and one threadsafe-function wake-up of the loop per GC), so this hook
// turns it on (runtime/gc-ring.ts installGcHook) only while gcEvents has a listener: a collector
// subscribing re-evaluates the gate at once, so no GC after the subscription is missed.
import { installGcHook } from '../gc-ring'
import { gcEvents } from '../runtime-events'
import { createHookGuard } from './hook-guard'
import { gateOn } from './probe-gate'

export function installGcEventsHook(): () => void {
  const guard = createHookGuard('gc')
  let stopRing: (() => void) | undefined

  function set(live: boolean): void {
    if (live && !stopRing && guard.on) stopRing = installGcHook()
    else if (!live && stopRing) { const s = stopRing; stopRing = undefined; s() }
  }
  const ungate = gateOn([], [gcEvents], (live) => guard.run(() => set(live)))
  const uninstall = (): void => { ungate(); guard.run(() => set(false)) }
  guard.onTrip(uninstall)
  return uninstall
}
