// Event-loop collector: delay histogram from a timer run every `resolutionMs` and utilization
// (the loop's busy share of wall time), both per interval. The delay is how late the timer ran
// beyond its period, what the loop__lag probe (and `sonde trace loop-lag`) reports.
// The timer is the addon's (runtime/loop-delay.ts): each sample goes into our histogram as it
// is (count, min, max exact; quantiles carry our bucket error), drained at each tick. Without
// the addon: perf_hooks.monitorEventLoopDelay (Node's HDR histogram of the whole time between
// two runs, so the period is subtracted), which exposes percentiles, not buckets: each interval
// its distribution moves into ours by its percentile breakpoints (count × Δpercentile at each
// breakpoint value), then it is reset (a walk of its buckets: ~1 M instructions per tick).
// Utilization: libuv's idle time through the addon (runtime/loop-delay.ts), else
// performance.eventLoopUtilization; node:perf_hooks is loaded only for the fallbacks (~0.7 MB of
// RSS and a dozen internal modules at start-up).
import type { IntervalHistogram, EventLoopUtilization } from 'node:perf_hooks'
import { createLoopUtilization, startLoopDelay, type LoopDelaySampler } from '../runtime/loop-delay'
import { HistogramSnapshot, createTimeHistogram, summarize } from './histogram'
import { SeriesRing, SeriesSnapshot } from './series-ring'
import { guardedInterval } from './collector-guard'
import { collectorLifecycle } from './collector'

export interface EventLoopSnapshot {
  delayNs: ReturnType<typeof summarize>
  histogram: HistogramSnapshot
  /** Utilization in the last closed interval, 0..1. */
  utilization: number
  heatmap: SeriesSnapshot
}

export function createEventLoopCollector(opts: { intervalMs?: number; seriesSlots?: number; resolutionMs?: number } = {}) {
  const intervalMs = opts.intervalMs ?? 1000
  const resolutionMs = opts.resolutionMs ?? 10
  const periodNs = resolutionMs * 1e6
  const late = (intervalNs: number): number => Math.max(0, intervalNs - periodNs)
  const life = collectorLifecycle('eventloop', (hold) => {
    const n = native = startLoopDelay(resolutionMs)
    if (n) hold(() => { n.stop(); if (native === n) native = undefined })
    else {
      const m = monitor = perf().monitorEventLoopDelay({ resolution: resolutionMs })
      m.enable()
      hold(() => { m.disable(); if (monitor === m) monitor = undefined })
    }
    nativeElu = createLoopUtilization()
    if (!nativeElu) lastElu = perf().performance.eventLoopUtilization()
    hold(guardedInterval(guard, intervalMs, tick))
  })
  const guard = life.guard
  const delay = createTimeHistogram()
  const ring = new SeriesRing({ slots: opts.seriesSlots ?? 60, intervalMs })
  let monitor: IntervalHistogram | undefined
  let native: LoopDelaySampler | undefined
  let lastElu: EventLoopUtilization | undefined
  let nativeElu: (() => number) | undefined
  const perf = (): typeof import('node:perf_hooks') => require('node:perf_hooks') as typeof import('node:perf_hooks')
  let utilization = 0

  const recordLate = (v: number): void => { delay.record(v); ring.current.record(v) }

  function drainMonitor(): void {
    if (native) { native.drain(recordLate); return }
    const m = monitor
    if (!m) return
    const n = m.count
    if (n > 0) {
      let prevPct = 0
      for (const [pct, value] of m.percentiles) {
        const k = Math.round(n * (pct - prevPct) / 100)
        if (k > 0) { delay.recordN(late(value), k); ring.current.recordN(late(value), k) }
        prevPct = pct
      }
      if (late(m.min) < delay.min) delay.min = late(m.min)
      if (late(m.max) > delay.max) delay.max = late(m.max)
    }
    m.reset()
  }

  function tick(): void {
    drainMonitor()
    if (nativeElu) utilization = nativeElu()
    else {
      const { performance } = perf()
      const now = performance.eventLoopUtilization()
      if (lastElu) utilization = performance.eventLoopUtilization(now, lastElu).utilization
      lastElu = now
    }
    ring.rotate()
  }

  const collector = {
    name: 'eventloop' as const,
    guard,
    delay,
    get running() { return life.running },
    start: life.start,
    stop: life.stop,
    utilization(): number { return utilization },
    /** Move pending samples now (scrapes call this so /metrics is current). */
    flush: guard.wrap(() => drainMonitor()),
    snapshot(): EventLoopSnapshot {
      return { delayNs: summarize(delay), histogram: delay.snapshot(), utilization, heatmap: ring.snapshot() }
    },
  }
  return collector
}

export type EventLoopCollector = ReturnType<typeof createEventLoopCollector>
