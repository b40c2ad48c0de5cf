// Event-loop collector: delay histogram from perf_hooks.monitorEventLoopDelay (Node's own
// HDR histogram, sampled every `resolutionMs`) and utilization from
// performance.eventLoopUtilization, both per interval. Node's histogram records the whole time
// between two runs of its `resolutionMs` timer (an idle loop reads ~resolutionMs, not 0), so each
// value has the timer's period subtracted: the delay is how late the timer ran beyond its
// expected time, what the loop__lag probe (and `sonde trace loop-lag`) reports. Node's histogram
// exposes percentiles, not buckets: each interval we move its distribution into ours by its percentile breakpoints
// (count × Δpercentile at each breakpoint value), then reset it. Count, min and max are exact;
// inner quantiles carry Node's and our bucket error.
import { monitorEventLoopDelay, performance, IntervalHistogram, EventLoopUtilization } from 'node:perf_hooks'
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
    const m = monitor = monitorEventLoopDelay({ resolution: resolutionMs })
    m.enable()
    hold(() => { m.disable(); if (monitor === m) monitor = undefined })
    lastElu = performance.eventLoopUtilization()
    hold(guardedInterval(guard, intervalMs, tick))
  })
  const guard = life.guard
  const delay = createTimeHistogram()
  const ring = new SeriesRing({ slots: opts.seriesSlots ?? 60, intervalMs })
  let monitor: IntervalHistogram | undefined
  let lastElu: EventLoopUtilization | undefined
  let utilization = 0

  function drainMonitor(): void {
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
    const now = performance.eventLoopUtilization()
    if (lastElu) utilization = performance.eventLoopUtilization(now, lastElu).utilization
    lastElu = now
    ring.rotate()
  }

  const collector = {
    name: 'eventloop' as const,
    guard,
    get running() { return life.running },
    start: life.start,
    stop: life.stop,
    delay,
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
