// Prometheus/OpenMetrics exposition through a prom-client Registry: prom-client formats and
// escapes; we only hand it values read from the collectors at scrape time. Which names are
// registered follows SONDE_METRICS_NAMES (metric-names.ts): sonde_* here, prom-client's in
// prom-client-names.ts; both read the same collectors.
import { Registry, Gauge, Counter } from 'prom-client'
import { SnapshotHistogramMetric } from './histogram-metric'
import { registerPromClientNames } from './prom-client-names'
import { ALL_METRIC_NAMES, type MetricNames } from './metric-names'
import type { CollectorSet } from './collector-set'

export function createPrometheusRegistry(set: CollectorSet, names: MetricNames = ALL_METRIC_NAMES): Registry {
  const registry = new Registry()
  if (names.promClient) registerPromClientNames(registry, set)
  if (names.sonde) registerSondeNames(registry, set)
  return registry
}

function registerSondeNames(registry: Registry, set: CollectorSet): void {
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
}
