// Prometheus/OpenMetrics exposition through a prom-client Registry: prom-client formats and
// escapes; we only hand it values read from the collectors at scrape time.
// Histograms: our buckets are log-linear (16 per power of two); the exported `le` boundaries are
// the power-of-two majors (1 µs × 2^k up to 67 s, 64 B × 2^k up to 4 GiB), which are exact
// boundaries of ours, so cumulative counts are exact (a value equal to a boundary counts in the
// next bucket: our buckets are [lo, hi)). _sum and _count are exact.
import { Registry, Gauge, Counter } from 'prom-client'
import { Histogram, HistogramLayout, SUB, bucketLower, TIME_LAYOUT, BYTES_LAYOUT } from './histogram'
import type { CollectorSet } from './collector-set'

interface Series { labels: Record<string, string>; histogram: Histogram }

function boundaries(layout: HistogramLayout): { index: number; le: string }[] {
  const toBase = layout.unit === 'ns' ? 1e9 : 1
  const out: { index: number; le: string }[] = []
  for (let m = 1; m <= layout.majors + 1; m++) out.push({ index: m * SUB, le: String(bucketLower(layout, m * SUB) / toBase) })
  return out
}
const TIME_LE = boundaries(TIME_LAYOUT)
const BYTES_LE = boundaries(BYTES_LAYOUT)

/** A prom-client metric (registry-compatible) whose values come from our histograms at scrape time. */
class SnapshotHistogramMetric {
  readonly type = 'histogram'
  readonly aggregator = 'sum'
  constructor(readonly name: string, readonly help: string, readonly labelNames: string[], private readonly read: () => Series[]) {}
  reset(): void { /* values live in the collectors */ }
  async get() {
    const values: { labels: Record<string, string>; value: number; metricName: string }[] = []
    for (const s of this.read()) {
      const h = s.histogram
      const toBase = h.layout.unit === 'ns' ? 1e-9 : 1
      const les = h.layout.unit === 'ns' ? TIME_LE : BYTES_LE
      let cum = 0, i = 0
      const c = h.counts
      for (const b of les) {
        for (; i < b.index; i++) cum += c[i]
        values.push({ labels: { ...s.labels, le: b.le }, value: cum, metricName: this.name + '_bucket' })
      }
      values.push({ labels: { ...s.labels, le: '+Inf' }, value: h.count, metricName: this.name + '_bucket' })
      values.push({ labels: s.labels, value: h.sum * toBase, metricName: this.name + '_sum' })
      values.push({ labels: s.labels, value: h.count, metricName: this.name + '_count' })
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values }
  }
}

export function createPrometheusRegistry(set: CollectorSet): Registry {
  const registry = new Registry()
  const reg = (m: SnapshotHistogramMetric) => registry.registerMetric(m as unknown as Parameters<Registry['registerMetric']>[0])
  const { messages, gc, eventloop, http, requestCost, alloc } = set.collectors
  if (messages) {
    reg(new SnapshotHistogramMetric('sonde_message_latency_seconds', 'Message latency from send to pick-up by the receiving thread', ['channel', 'direction'],
      () => messages.channels().map((s) => ({ labels: { channel: s.channel, direction: s.direction }, histogram: s.latency }))))
    new Gauge({ name: 'sonde_message_in_flight', help: 'Messages sent and not yet picked up', labelNames: ['channel', 'direction'], registers: [registry],
      collect() { this.reset(); for (const s of messages.channels()) this.set({ channel: s.channel, direction: s.direction }, Math.max(0, s.sent - s.received)) } })
  }
  if (gc) {
    reg(new SnapshotHistogramMetric('sonde_gc_duration_seconds', 'GC pause by kind (every GC)', ['kind'],
      () => [...gc.byKind].map(([kind, h]) => ({ labels: { kind }, histogram: h }))))
    new Gauge({ name: 'sonde_gc_share_ratio', help: 'GC time / wall time over the last interval (main thread)', registers: [registry],
      collect() { this.set(gc.shareRatio()) } })
  }
  if (eventloop) {
    reg(new SnapshotHistogramMetric('sonde_eventloop_delay_seconds', 'Event-loop delay: how late a 10 ms timer ran beyond its expected time (perf_hooks.monitorEventLoopDelay intervals minus the period)', [],
      () => { eventloop.flush(); return [{ labels: {}, histogram: eventloop.delay }] }))
    new Gauge({ name: 'sonde_eventloop_utilization_ratio', help: 'Event-loop utilization over the last interval', registers: [registry],
      collect() { this.set(eventloop.utilization()) } })
  }
  if (http) {
    reg(new SnapshotHistogramMetric('sonde_http_request_duration_seconds', 'HTTP server request duration', ['method', 'route', 'status'],
      () => [...http.series.values()].map((s) => ({ labels: { method: s.method, route: s.route, status: s.status }, histogram: s.latency }))))
  }
  if (requestCost) {
    const routes = () => { requestCost.flush(false); return [...requestCost.byRoute.values()] }
    reg(new SnapshotHistogramMetric('sonde_request_cpu_seconds', 'Main-thread CPU time (CLOCK_THREAD_CPUTIME_ID) spent in the measured request\'s own callbacks and promise continuations, start to finish; waiting costs nothing (at most cost-per-sec requests measured per second)', ['route'],
      () => routes().map((c) => ({ labels: { route: c.route }, histogram: c.cpu }))))
    reg(new SnapshotHistogramMetric('sonde_request_gc_seconds', 'Main-thread CPU time of GC pauses that started while the measured request\'s code ran (part of its CPU time). GCs that start between callbacks (V8\'s scavenge task) are not in it: sonde_request_loose_gc_seconds_total', ['route'],
      () => [...requestCost.byRoute.values()].map((c) => ({ labels: { route: c.route }, histogram: c.gc }))))
    reg(new SnapshotHistogramMetric('sonde_request_allocated_bytes', 'V8 heap bytes allocated by the measured request\'s own callbacks (used-heap growth plus bytes freed by GCs inside them; ± tens of kB per request)', ['route'],
      () => [...requestCost.byRoute.values()].map((c) => ({ labels: { route: c.route }, histogram: c.allocated }))))
    new Counter({ name: 'sonde_request_loose_gc_seconds_total', help: 'Main-thread CPU time of GCs that started between callbacks (no measured request\'s code running), charged to the measured requests of the route pro rata of the bytes each allocated since the previous GC; the share of bytes other code allocated is unattributed', labelNames: ['route'], registers: [registry],
      collect() { this.reset(); for (const c of routes()) this.inc({ route: c.route }, c.looseGcNs / 1e9) } })
    new Gauge({ name: 'sonde_request_unattributed_cpu_seconds', help: 'Main-thread CPU time since request-cost started that no route\'s requests account for (Node outside request callbacks, timers, other work)', registers: [registry],
      collect() { this.set(requestCost.snapshot().totals.unattributedCpuNs / 1e9) } })
    new Gauge({ name: 'sonde_request_unattributed_gc_seconds', help: 'Main-thread GC CPU time since request-cost started that no route accounts for: GCs that started in other code, and the share of GCs started between callbacks that other code\'s allocation since the previous GC caused', registers: [registry],
      collect() { this.set(requestCost.snapshot().totals.unattributedGcNs / 1e9) } })
  }
  if (alloc) {
    new Counter({ name: 'sonde_alloc_bytes_total', help: 'Sampled allocated bytes, top sites only', labelNames: ['function', 'url', 'line'], registers: [registry],
      collect() { this.reset(); for (const s of alloc.top()) this.inc({ function: s.function, url: s.url, line: String(s.line) }, s.bytes) } })
  }
  return registry
}
