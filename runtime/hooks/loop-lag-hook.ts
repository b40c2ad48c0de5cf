// Event-loop lag hook: a sampling timer (every SAMPLE_MS, unref'd) measures how late it ran
// against the monotonic clock and fires loop__lag(delay ns) with that last sample, and emits a
// LoopLagEvent for collectors. Runs only while loop__lag is enabled or loopLagEvents has a
// listener. A plain timer rather than perf_hooks.monitorEventLoopDelay: the probe wants each
// sample's delay, and monitorEventLoopDelay only exposes an aggregated histogram.
import { loopLagEvents } from '../runtime-events'
import { createHookGuard } from './hook-guard'
import { gateOn, type Fireable } from './probe-gate'

export interface LoopLagProbeSet { loop__lag: Fireable<[number]> }

export const SAMPLE_MS = 100

export function installLoopLagHook(probes: LoopLagProbeSet, sampleMs = SAMPLE_MS): () => void {
  const guard = createHookGuard('loop-lag')
  const probe = probes.loop__lag
  let timer: NodeJS.Timeout | undefined
  let lastNs = 0n
  const periodNs = BigInt(sampleMs) * 1_000_000n

  function tick(): void {
    guard.run(() => {
      const now = process.hrtime.bigint()
      const late = now - lastNs - periodNs
      lastNs = now
      const delayNs = late > 0n ? Number(late) : 0
      if (probe.enabled) probe.fire(delayNs)
      if (loopLagEvents.active) loopLagEvents.emit({ delayNs })
    })
  }

  function set(live: boolean): void {
    if (live && !timer && guard.on) {
      lastNs = process.hrtime.bigint()
      timer = setInterval(tick, sampleMs)
      timer.unref()
    } else if (!live && timer) {
      clearInterval(timer)
      timer = undefined
    }
  }
  const ungate = gateOn([probe], [loopLagEvents], (live) => guard.run(() => set(live)))
  const uninstall = (): void => { ungate(); set(false) }
  guard.onTrip(uninstall)
  return uninstall
}
