// OpenTelemetry semantic-convention metrics: collectors started first (as sonde/register does,
// before the app), an SDK MeterProvider registered afterwards (as the app does); the bridge
// finds it and its instruments read the same data as the collectors. GC truth: Node's own
// PerformanceObserver 'gc' entries (what prom-client and OpenTelemetry's runtime instrumentation
// read) for 7 forced major GCs; event-loop gauges equal the collector's summary exactly.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import v8 from 'node:v8'
import vm from 'node:vm'
import { PerformanceObserver, constants } from 'node:perf_hooks'
import { metrics } from '@opentelemetry/api'
import { MeterProvider, MetricReader, DataPointType, type HistogramMetricData, type GaugeMetricData } from '@opentelemetry/sdk-metrics'
import { startCollectors, stopCollectors } from '../../collectors/index'
import { summarize } from '../../collectors/histogram'
import { histogramStddev } from '../../collectors/metric-names'

class TestReader extends MetricReader {
  protected async onForceFlush(): Promise<void> {}
  protected async onShutdown(): Promise<void> {}
}

v8.setFlagsFromString('--expose-gc')
const gc = vm.runInNewContext('gc') as () => void
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

test('v8js.gc.duration and nodejs.eventloop.* once an SDK registers after sonde started', async () => {
  // interval-ms at its maximum: the event-loop histogram changes only when a reader flushes it.
  const set = startCollectors({ collectors: ['gc', 'eventloop'], intervalMs: 3_600_000 })
  let perfMajor = 0
  const obs = new PerformanceObserver((list) => { for (const e of list.getEntries()) if ((e.detail as { kind?: number })?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) perfMajor++ })
  obs.observe({ entryTypes: ['gc'] })
  const reader = new TestReader()
  const provider = new MeterProvider({ readers: [reader] })
  await sleep(50)  // the bridge's first look (next turn of the loop) finds no provider: it polls
  metrics.setGlobalMeterProvider(provider)
  try {
    // The poll runs every 5 s: wait (bounded) until sonde's instruments are there (a histogram
    // shows only once it has a value; the gauges at once).
    let names: string[] = []
    for (let i = 0; i < 80 && !names.includes('nodejs.eventloop.utilization'); i++) {
      await sleep(100)
      const { resourceMetrics } = await reader.collect()
      names = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics.map((m) => m.descriptor.name))
    }
    assert.ok(names.includes('nodejs.eventloop.utilization'), `instruments: ${names}`)
    const majorCount = async (): Promise<number> => {
      const { resourceMetrics } = await reader.collect()
      const m = resourceMetrics.scopeMetrics.flatMap((x) => x.metrics).find((x) => x.descriptor.name === 'v8js.gc.duration') as HistogramMetricData | undefined
      return m?.dataPoints.find((p) => p.attributes['v8js.gc.type'] === 'major')?.value.count ?? 0
    }
    const otelBefore = await majorCount()
    const before = set.collectors.gc!.byKind.get('mark_sweep_compact')?.count ?? 0
    const perfBefore = perfMajor
    for (let i = 0; i < 7; i++) gc()
    await sleep(200)  // PerformanceObserver delivers its entries asynchronously
    const { resourceMetrics } = await reader.collect()
    const scope = resourceMetrics.scopeMetrics.find((s) => s.scope.name === 'sonde')!
    const byName = new Map(scope.metrics.map((m) => [m.descriptor.name, m]))
    const gcMetric = byName.get('v8js.gc.duration') as HistogramMetricData
    assert.ok(gcMetric, 'v8js.gc.duration exported')
    assert.is(gcMetric.dataPointType, DataPointType.HISTOGRAM)
    assert.is(gcMetric.descriptor.unit, 's')
    assert.equal(gcMetric.dataPoints[0].value.buckets.boundaries, [0.01, 0.1, 1, 10])
    const point = (type: string) => gcMetric.dataPoints.find((p) => p.attributes['v8js.gc.type'] === type)
    const major = point('major')!
    const sondeMajor = set.collectors.gc!.byKind.get('mark_sweep_compact')!
    // Seen since the SDK registered: every major GC of the collector from then on, and at least the 7 forced.
    assert.ok(sondeMajor.count - before >= 7, `sonde majors ${sondeMajor.count - before}`)
    assert.is(major.value.count - otelBefore, sondeMajor.count - before, 'v8js.gc.duration counts the GCs sonde_gc_duration_seconds counts')
    assert.is(perfMajor - perfBefore, sondeMajor.count - before, 'Node\'s PerformanceObserver and sonde see the same major GCs')
    for (const p of gcMetric.dataPoints) assert.ok(['major', 'minor', 'incremental', 'weakcb'].includes(String(p.attributes['v8js.gc.type'])), `type ${p.attributes['v8js.gc.type']}`)

    const el = set.collectors.eventloop!
    const s = summarize(el.delay)
    const expected: Record<string, number> = { min: s.min, max: s.max, mean: s.mean, stddev: histogramStddev(el.delay), p50: s.p50, p90: s.p90, p99: s.p99 }
    for (const [stat, v] of Object.entries(expected)) {
      const m = byName.get(`nodejs.eventloop.delay.${stat}`) as GaugeMetricData
      assert.ok(m, `nodejs.eventloop.delay.${stat}`)
      assert.is(m.descriptor.unit, 's')
      assert.is(m.dataPoints[0].value, v / 1e9, stat)
    }
    assert.ok(s.count > 0, 'event-loop samples recorded')
    const u = byName.get('nodejs.eventloop.utilization') as GaugeMetricData
    assert.is(u.descriptor.unit, '1')
    assert.is(u.dataPoints[0].value, el.utilization())
  } finally {
    obs.disconnect()
    stopCollectors()
    await provider.shutdown()
    metrics.disable()
  }
})

test.run()
