// The collectors API: `collectors.start(config)` (or SONDE_COLLECT via startCollectors from
// register), `collectors.snapshot()`, `collectors.metrics()` (Prometheus text), `collectors.stop()`.
// Start is strict (CollectorConfigError names the option); after start nothing throws.
import type { Registry } from 'prom-client'
import { CollectorsConfig, resolveConfig } from './config'
import { createCollectorSet, CollectorSet } from './collector-set'
import type { CollectorsSnapshot } from './snapshot'
import type { EndpointSources } from './http-endpoint'
import type { AllocSampleEvent, EventSource, GcEvent } from '../runtime/runtime-events'
import { metricNamesFromEnv, type MetricNames } from './metric-names'
import { isMainThread } from '../runtime/thread'
import { installWhenPortsLoaded } from '../runtime/ports-ready'

export { CollectorConfigError, parseCollectSpec, COLLECTOR_NAMES } from './config'
export type { CollectorsConfig, CollectorName } from './config'
export type { CollectorsSnapshot } from './snapshot'
export { Histogram, createTimeHistogram, createBytesHistogram } from './histogram'
export { SeriesRing, createSeriesRing } from './series-ring'

// The snapshot builder and the HTTP handlers are loaded at their first use: an app nobody reads
// or scrapes never compiles them (two modules fewer at every start-up).
const endpoint = (): typeof import('./http-endpoint') => require('./http-endpoint') as typeof import('./http-endpoint')
type Handler = ReturnType<typeof import('./http-endpoint').snapshotHandler>

/** node:http handler for GET /api/snapshot (JSON) reading `src`. */
export function snapshotHandler(src: EndpointSources): Handler {
  let h: Handler | undefined
  return (req, res) => (h ??= endpoint().snapshotHandler(src))(req, res)
}

/** node:http handler for GET /metrics (prom-client text) reading `src`. */
export function metricsHandler(src: EndpointSources): Handler {
  let h: Handler | undefined
  return (req, res) => (h ??= endpoint().metricsHandler(src))(req, res)
}

let current: { set: CollectorSet; names: MetricNames; registry?: Registry; stops: (() => void)[] } | undefined

/**
 * The Prometheus registry of the running set, built at the first scrape (main thread only):
 * prom-client and its dependencies are ~1 MB of heap that an app nobody scrapes should not
 * carry (every mark-compact walks it). Its metrics read the collectors when collected, so a
 * registry built late exposes the same values as one built at start.
 */
function registryOf(): Registry | undefined {
  const c = current
  if (!c || !isMainThread()) return undefined
  c.registry ??= (require('./prometheus') as typeof import('./prometheus')).createPrometheusRegistry(c.set, c.names)
  return c.registry
}

/**
 * Start the collectors of this thread (stops a previous start). In a worker thread only the
 * thread-local collectors run and forward to the main thread. The GC and allocation collectors
 * subscribe to the runtime's native sources (which start their producers); `opts` swaps in other
 * sources (tests feeding known events). Throws CollectorConfigError on
 * a bad option; never throws afterwards.
 */
export function startCollectors(config?: Partial<CollectorsConfig> | string, opts: { gcEvents?: EventSource<GcEvent>; allocEvents?: EventSource<AllocSampleEvent> } = {}): CollectorSet {
  const cfg = resolveConfig(config)
  stopCollectors()
  const set = createCollectorSet(cfg, opts)
  set.start()
  const stops: (() => void)[] = []
  // The bridge's BroadcastChannel needs node:worker_threads: in the main thread it opens when
  // the app can first start a worker (runtime/ports-ready.ts), before any worker can forward.
  const bridge = () => require('./worker-bridge') as typeof import('./worker-bridge')
  if (isMainThread()) stops.push(installWhenPortsLoaded(() => bridge().startWorkerReceiver(set)))
  else stops.push(bridge().startWorkerForwarder(set))
  const names = metricNamesFromEnv()
  if (isMainThread() && names.otel) stops.push((require('./otel-bridge') as typeof import('./otel-bridge')).startOtelBridge(set))
  current = { set, names, stops }
  return set
}

export function stopCollectors(): void {
  if (!current) return
  for (const s of current.stops) { try { s() } catch { /* already stopped */ } }
  current.set.stop()
  current = undefined
}

const sources = {
  snapshot: (): CollectorsSnapshot => (require('./snapshot') as typeof import('./snapshot')).toSnapshot(current?.set),
  registry: registryOf,
}

export const collectors = {
  start: startCollectors,
  stop: stopCollectors,
  get running(): boolean { return current !== undefined },
  get set(): CollectorSet | undefined { return current?.set },
  snapshot: sources.snapshot,
  /** Prometheus text exposition (prom-client). Empty string when not started. */
  async metrics(): Promise<string> { const r = registryOf(); return r ? r.metrics() : '' },
  registry: sources.registry,
  /** node:http handlers for GET /api/snapshot and GET /metrics (the dashboard mounts these). */
  handlers: { snapshot: snapshotHandler(sources), metrics: metricsHandler(sources) },
  /** Serve /api/snapshot and /metrics on host:port (127.0.0.1 by default); the registry is built now, not at the first scrape. */
  serve: (port: number, host?: string) => { registryOf(); return endpoint().serveCollectors(sources, port, host) },
}
