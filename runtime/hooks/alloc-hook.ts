// Allocation sampling for alloc__sample: V8's sampling heap profiler (runtime/alloc-sampler.ts)
// runs only while the probe is enabled or allocSampleEvents has a listener; when nobody listens
// it is not started at all (V8 then puts no sampling observer on the allocation path).
//
// One sampler per thread: the allocation collector starts its own (collectors/allocation.ts,
// synchronously right after it subscribes). So this hook starts the sampler one microtask after
// its gate opens, and when another sampler already runs it leaves that one feeding the events;
// the sampler fires alloc__sample natively whoever started it. While the probe is enabled and
// the other sampler goes away, the hook takes over on its next check (every POLL_MS).
import { startAllocSampler, DEFAULT_ALLOC_INTERVAL_BYTES } from '../alloc-sampler'
import { allocSampleEvents } from '../runtime-events'
import { createHookGuard } from './hook-guard'
import { gateOn, POLL_MS, type Fireable } from './probe-gate'

export interface AllocProbeSet { alloc__sample: Fireable<[number, string, string]> }

/**
 * Mean bytes between samples when the hook starts the sampler (a tracer, no collector): the
 * same default as the allocation collector (runtime/alloc-sampler.ts, 512 KiB), so a tracer
 * sees the same sample rate whichever of the two started the sampler.
 */
export const ALLOC_INTERVAL_BYTES = DEFAULT_ALLOC_INTERVAL_BYTES

export function installAllocHook(probes: AllocProbeSet, intervalBytes = ALLOC_INTERVAL_BYTES): () => void {
  const guard = createHookGuard('alloc')
  const probe = probes.alloc__sample
  let live = false
  let stop: (() => void) | undefined
  let retry: NodeJS.Timeout | undefined

  function reconcile(): void {
    if (live && !stop && guard.on) {
      try {
        stop = startAllocSampler({ intervalBytes })
      } catch (err) {
        // Another sampler (the allocation collector's) runs on this thread: it feeds the probe
        // and the events. Only a tracer needs us to take over once it stops.
        if (!/already running/.test(String((err as Error)?.message))) throw err
      }
    } else if (!live && stop) {
      const s = stop
      stop = undefined
      s()
    }
    const wantRetry = live && !stop && probe.enabled
    if (wantRetry && !retry) { retry = setInterval(() => guard.run(reconcile), POLL_MS); retry.unref() }
    else if (!wantRetry && retry) { clearInterval(retry); retry = undefined }
  }

  const ungate = gateOn([probe], [allocSampleEvents], (on) => {
    live = on
    queueMicrotask(() => guard.run(reconcile))
  })
  // The probe turning on while the gate is already open (a collector listens) changes nothing
  // for the gate above, but it is what makes a take-over necessary: re-check then too.
  const ungateProbe = gateOn([probe], [], () => queueMicrotask(() => guard.run(reconcile)))
  const uninstall = (): void => {
    ungateProbe()
    ungate()
    live = false
    guard.run(reconcile)
  }
  guard.onTrip(uninstall)
  return uninstall
}
