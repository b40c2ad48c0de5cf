// Which metric names sonde exposes: SONDE_METRICS_NAMES, a comma list of
//   sonde        the sonde_* names (every collector's metrics)
//   prom-client  the names prom-client's collectDefaultMetrics() gives the same quantities
//                (nodejs_gc_duration_seconds{kind}, nodejs_eventloop_lag_*, nodejs_heap_*)
//   otel         OpenTelemetry semantic-convention instruments (v8js.gc.duration,
//                nodejs.eventloop.delay.*, nodejs.eventloop.utilization) through
//                @opentelemetry/api, once the app has registered an SDK meter provider
//   all          the three (the default)
// Every name reads the same collector data, so one quantity never has two values.
import { Histogram, createTimeHistogram, bucketLower, bucketUpper } from './histogram'
import { setting, SETTINGS, warnBadSetting } from '../runtime/config'

export type MetricNameSet = 'sonde' | 'prom-client' | 'otel'
export const METRIC_NAME_SETS: readonly MetricNameSet[] = ['sonde', 'prom-client', 'otel']

export interface MetricNames { sonde: boolean; promClient: boolean; otel: boolean }

export const ALL_METRIC_NAMES: Readonly<MetricNames> = Object.freeze({ sonde: true, promClient: true, otel: true })

/** Parses a SONDE_METRICS_NAMES value; undefined or '' → all. Throws an Error naming the variable on a bad item. */
export function parseMetricNames(spec: string | undefined): MetricNames {
  if (spec === undefined || spec.trim() === '') return { ...ALL_METRIC_NAMES }
  const out: MetricNames = { sonde: false, promClient: false, otel: false }
  for (const raw of spec.split(',')) {
    const item = raw.trim()
    if (item === 'all') { out.sonde = out.promClient = out.otel = true; continue }
    if (item === 'sonde') out.sonde = true
    else if (item === 'prom-client') out.promClient = true
    else if (item === 'otel') out.otel = true
    else throw new Error(`sonde: SONDE_METRICS_NAMES: unknown name set ${JSON.stringify(item)} (use sonde, prom-client, otel or all, comma-separated)`)
  }
  return out
}

/** SONDE_METRICS_NAMES of this process; a bad value is one SONDE_CONFIG warning and the default. */
export function metricNamesFromEnv(env: NodeJS.ProcessEnv = process.env): MetricNames {
  const spec = setting('SONDE_METRICS_NAMES', env)
  try { return parseMetricNames(spec) } catch (err) {
    warnBadSetting('SONDE_METRICS_NAMES', spec ?? '', String((err as Error)?.message ?? err).replace(/^sonde: SONDE_METRICS_NAMES: /, ''), `the default (${SETTINGS.SONDE_METRICS_NAMES.shown})`)
    return { ...ALL_METRIC_NAMES }
  }
}

/** sonde GC kind → prom-client's (and OpenTelemetry's v8js.gc.type) kind label. */
export const PROM_CLIENT_GC_KIND: Record<string, string> = {
  scavenge: 'minor', minor_mark_compact: 'minor', mark_sweep_compact: 'major', incremental_marking: 'incremental', weak_callbacks: 'weakcb',
}

/** Per-kind histograms merged under prom-client's kind labels. */
export function gcByPromClientKind(byKind: Map<string, Histogram>): Map<string, Histogram> {
  const out = new Map<string, Histogram>()
  for (const [kind, h] of byKind) {
    const k = PROM_CLIENT_GC_KIND[kind] ?? kind
    let m = out.get(k)
    if (!m) { m = createTimeHistogram(); out.set(k, m) }
    m.merge(h)
  }
  return out
}

/** Standard deviation from bucket midpoints (min/max-clamped), in the histogram's unit. */
export function histogramStddev(h: Histogram): number {
  if (h.count < 2) return 0
  const mean = h.mean()
  let acc = 0
  for (let i = 0; i < h.counts.length; i++) {
    const n = h.counts[i]
    if (n === 0) continue
    const mid = Math.min(h.max, Math.max(h.min, (bucketLower(h.layout, i) + Math.min(bucketUpper(h.layout, i), h.max)) / 2))
    acc += n * (mid - mean) ** 2
  }
  return Math.sqrt(acc / h.count)
}
