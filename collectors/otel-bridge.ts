// OpenTelemetry semantic-convention metrics through @opentelemetry/api, for apps that run an
// OTel SDK (SONDE_METRICS_NAMES includes `otel`, the default). Main thread only.
//   v8js.gc.duration {v8js.gc.type}   histogram, s: each GC of the main thread as the GC hook
//                                       reports it (the values sonde_gc_duration_seconds counts;
//                                       sonde's also merges worker threads' GCs); the
//                                       convention's bucket advice [0.01, 0.1, 1, 10]
//   nodejs.eventloop.delay.{min,max,mean,stddev,p50,p90,p99}   gauges, s: the numbers the
//                                       nodejs_eventloop_lag_*_seconds gauges show
//   nodejs.eventloop.utilization      gauge, 1: sonde_eventloop_utilization_ratio
// The API's instruments are no-ops until an SDK registers its meter provider, and an instrument
// made before that stays a no-op; so sonde/register (which runs before the app) only watches the
// API's global slot (a property read, no module load) at the next turn of the loop and then every
// 5 s until a provider is there, and makes its instruments then. Never throws into the app.
import fs from 'node:fs'
import path from 'node:path'
import { debuglog } from 'node:util'
import { packageRoot } from '../probes/native-path'
import type { GcEvent } from '../runtime/runtime-events'
import { gcEvents } from '../runtime/gc-ring'
import { gcKindName } from './gc'
import { summarize } from './histogram'
import { PROM_CLIENT_GC_KIND, histogramStddev } from './metric-names'
import type { CollectorSet } from './collector-set'

const debug = debuglog('sonde')
/** Where @opentelemetry/api 1.x keeps its registered globals (shared by every copy of the API). */
const API_GLOBAL = Symbol.for('opentelemetry.js.api.1')
const POLL_MS = 5000

function providerRegistered(): boolean {
  const g = (globalThis as Record<symbol, { metrics?: unknown } | undefined>)[API_GLOBAL]
  return g !== undefined && g.metrics !== undefined
}

/** Starts watching for an SDK meter provider; returns the stop function (removes the instruments' feeds). */
export function startOtelBridge(set: CollectorSet): () => void {
  let stopped = false
  let timer: NodeJS.Timeout | undefined
  let undo: (() => void) | undefined
  const check = (): void => {
    if (stopped || !providerRegistered()) return
    if (timer) { clearInterval(timer); timer = undefined }
    try { undo = installInstruments(set) } catch (err) { debug('otel bridge not installed: %s', (err as Error)?.message ?? err) }
  }
  const first = setImmediate(() => {
    check()
    if (!stopped && !undo) { timer = setInterval(check, POLL_MS); timer.unref() }
  })
  first.unref()
  return () => {
    stopped = true
    clearImmediate(first)
    if (timer) clearInterval(timer)
    try { undo?.() } catch { /* already gone */ }
  }
}

function sondeVersion(): string | undefined {
  try { return (JSON.parse(fs.readFileSync(path.join(packageRoot, 'package.json'), 'utf8')) as { version?: string }).version } catch { return undefined }
}

function installInstruments(set: CollectorSet): () => void {
  const api = require('@opentelemetry/api') as typeof import('@opentelemetry/api')
  const meter = api.metrics.getMeter('sonde', sondeVersion())
  const undo: (() => void)[] = []
  const { gc, eventloop } = set.collectors
  if (gc) {
    const h = meter.createHistogram('v8js.gc.duration', { unit: 's', description: 'Garbage collection duration.', advice: { explicitBucketBoundaries: [0.01, 0.1, 1, 10] } })
    undo.push(gcEvents.subscribe((e: GcEvent) => {
      try {
        const kind = gcKindName(e.kind)
        h.record(e.durationNs / 1e9, { 'v8js.gc.type': PROM_CLIENT_GC_KIND[kind] ?? kind })
      } catch (err) { debug('v8js.gc.duration: %s', (err as Error)?.message ?? err) }
    }))
  }
  if (eventloop) {
    const stats = ['min', 'max', 'mean', 'stddev', 'p50', 'p90', 'p99'] as const
    const gauges = stats.map((s) => meter.createObservableGauge(`nodejs.eventloop.delay.${s}`, { unit: 's', description: `Event loop ${s} delay since sonde started.` }))
    const utilization = meter.createObservableGauge('nodejs.eventloop.utilization', { unit: '1', description: 'Event loop utilization over the last interval.' })
    const cb: import('@opentelemetry/api').BatchObservableCallback = (result) => {
      try {
        eventloop.flush()
        const s = summarize(eventloop.delay)
        const v = { min: s.min, max: s.max, mean: s.mean, stddev: histogramStddev(eventloop.delay), p50: s.p50, p90: s.p90, p99: s.p99 }
        stats.forEach((stat, i) => result.observe(gauges[i], v[stat] / 1e9))
        result.observe(utilization, eventloop.utilization())
      } catch (err) { debug('nodejs.eventloop: %s', (err as Error)?.message ?? err) }
    }
    meter.addBatchObservableCallback(cb, [...gauges, utilization])
    undo.push(() => meter.removeBatchObservableCallback(cb, [...gauges, utilization]))
  }
  return () => { for (const u of undo) u() }
}
