// Allocation sampling for alloc__sample: the sampler (runtime/alloc-sampler.ts) fires the probe
// natively for every sample it takes, whoever made it run. allocSampleEvents owns the sampler
// and runs it while it has a subscriber (the allocation collector); this hook only adds a
// retain() while a tracer has the probe enabled, so the sampler also runs for a tracer alone.
// When nobody listens and no tracer is attached the sampler is not started at all (V8 then puts
// no sampling observer on the allocation path).
import { allocSampleEvents } from '../alloc-sampler'
import { createHookGuard } from './hook-guard'
import { gateOn, type Fireable } from './probe-gate'

export interface AllocProbeSet { alloc__sample: Fireable<[number, string, string]> }

export function installAllocHook(probes: AllocProbeSet): () => void {
  const guard = createHookGuard('alloc')
  let release: (() => void) | undefined

  function set(on: boolean): void {
    if (on && !release && guard.on) release = allocSampleEvents.retain()
    else if (!on && release) { const r = release; release = undefined; r() }
  }
  const ungate = gateOn([probes.alloc__sample], [], (on) => guard.run(() => set(on)))
  const uninstall = (): void => { ungate(); guard.run(() => set(false)) }
  guard.onTrip(uninstall)
  return uninstall
}
