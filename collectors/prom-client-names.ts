// The names prom-client's collectDefaultMetrics() uses, for the quantities sonde measures too, so
// Grafana dashboards built on prom-client work unchanged. Each reads the same collector data as
// its sonde_* twin at scrape time (one quantity, one value):
//   nodejs_gc_duration_seconds{kind}     = sonde_gc_duration_seconds with prom-client's kinds
//                                          (minor = scavenge + minor_mark_compact, major =
//                                          mark_sweep_compact, incremental, weakcb), every thread
//   nodejs_eventloop_lag_{min,max,mean,stddev,p50,p90,p99}_seconds
//                                        = sonde_eventloop_delay_seconds since the collector
//                                          started (prom-client resets at each scrape; sonde's
//                                          delay is beyond the 10 ms timer period, prom-client's
//                                          includes it)
//   nodejs_heap_size_{total,used}_bytes, nodejs_external_memory_bytes, nodejs_heap_space_size_*_bytes
//                                        = process.memoryUsage() / v8.getHeapSpaceStatistics() at
//                                          scrape time, what the dashboard's snapshot reads
// prom-client's nodejs_eventloop_lag_seconds (a setImmediate timed at scrape) is not exposed:
// sonde does not measure that.
import v8 from 'node:v8'
import { Registry, Gauge } from 'prom-client'
import { summarize } from './histogram'
import { SnapshotHistogramMetric } from './histogram-metric'
import { gcByPromClientKind, histogramStddev } from './metric-names'
import type { CollectorSet } from './collector-set'

const LAG = ['min', 'max', 'mean', 'stddev', 'p50', 'p90', 'p99'] as const

export function registerPromClientNames(registry: Registry, set: CollectorSet): void {
  const { gc, eventloop } = set.collectors
  if (gc) {
    const m = new SnapshotHistogramMetric('nodejs_gc_duration_seconds', 'Garbage collection duration by kind, one of major, minor, incremental or weakcb (sonde: every GC of every thread, = sonde_gc_duration_seconds).', ['kind'],
      () => [...gcByPromClientKind(gc.byKind)].map(([kind, h]) => ({ labels: { kind }, histogram: h })))
    registry.registerMetric(m as unknown as Parameters<Registry['registerMetric']>[0])
  }
  if (eventloop) {
    // The first gauge's collect sets them all (prom-client collects in registration order).
    const gauges: Gauge[] = LAG.map((stat, i) => new Gauge({
      name: `nodejs_eventloop_lag_${stat}_seconds`, help: `The ${stat} of the event-loop delays since sonde started (= sonde_eventloop_delay_seconds).`, registers: [registry],
      collect: i > 0 ? undefined : () => {
        eventloop.flush()
        const s = summarize(eventloop.delay)
        const v = { min: s.min, max: s.max, mean: s.mean, stddev: histogramStddev(eventloop.delay), p50: s.p50, p90: s.p90, p99: s.p99 }
        LAG.forEach((name, k) => gauges[k].set(v[name] / 1e9))
      },
    }))
  }
  const heap = (name: string, help: string, collect?: () => void) => new Gauge({ name, help, registers: [registry], collect })
  const total = heap('nodejs_heap_size_total_bytes', 'Process heap size from Node.js in bytes.', () => { const m = process.memoryUsage(); total.set(m.heapTotal); used.set(m.heapUsed); external.set(m.external) })
  const used = heap('nodejs_heap_size_used_bytes', 'Process heap size used from Node.js in bytes.')
  const external = heap('nodejs_external_memory_bytes', 'Node.js external memory size in bytes.')
  const space = (what: string, collect?: () => void) => new Gauge({ name: `nodejs_heap_space_size_${what}_bytes`, help: `Process heap space size ${what} from Node.js in bytes.`, labelNames: ['space'], registers: [registry], collect })
  const sTotal = space('total', () => {
    for (const s of v8.getHeapSpaceStatistics()) {
      const name = s.space_name.replace(/_space$/, '')
      sTotal.set({ space: name }, s.space_size); sUsed.set({ space: name }, s.space_used_size); sAvail.set({ space: name }, s.space_available_size)
    }
  })
  const sUsed = space('used'), sAvail = space('available')
}
