// The collectors API: `collectors.start(config)` (or SONDE_COLLECT via startCollectors from
// register), `collectors.snapshot()`, `collectors.metrics()` (Prometheus text), `collectors.stop()`.
// Start is strict (CollectorConfigError names the option); after start nothing throws.
import { isMainThread } from 'node:worker_threads'
import type { Registry } from 'prom-client'
import { CollectorsConfig, resolveConfig } from './config'
import { createCollectorSet, CollectorSet } from './collector-set'
import { toSnapshot, CollectorsSnapshot } from './snapshot'
import { createPrometheusRegistry } from './prometheus'
import { startWorkerForwarder, startWorkerReceiver } from './worker-bridge'
import { serveCollectors, snapshotHandler, metricsHandler } from './http-endpoint'
import type { SamplerStarter } from './allocation'
import type { GcHookInstaller } from './gc'

export { CollectorConfigError, parseCollectSpec, COLLECTOR_NAMES } from './config'
export type { CollectorsConfig, CollectorName } from './config'
export type { CollectorsSnapshot } from './snapshot'
export { Histogram, createTimeHistogram, createBytesHistogram } from './histogram'
export { SeriesRing, createSeriesRing } from './series-ring'
export { snapshotHandler, metricsHandler } from './http-endpoint'

let current: { set: CollectorSet; registry?: Registry; stops: (() => void)[] } | undefined

/** The allocation sampler lives in probes/alloc-sampler.ts (native); absent → the alloc collector only aggregates. */
function samplerStarter(): SamplerStarter | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require('../probes/alloc-sampler') as { startAllocSampler?: SamplerStarter }
    return typeof mod.startAllocSampler === 'function' ? mod.startAllocSampler : undefined
  } catch { return undefined }
}

/** The GC ring lives in probes/gc-hook.ts (native); absent → the GC collector only aggregates what others emit. */
function gcHookInstaller(): GcHookInstaller | undefined {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require('../probes/gc-hook') as { installGcHook?: GcHookInstaller }
    return typeof mod.installGcHook === 'function' ? mod.installGcHook : undefined
  } catch { return undefined }
}

/**
 * Start the collectors of this thread (stops a previous start). In a worker thread only the
 * thread-local collectors run and forward to the main thread. Throws CollectorConfigError on
 * a bad option; never throws afterwards.
 */
export function startCollectors(config?: Partial<CollectorsConfig> | string, opts: { startSampler?: SamplerStarter; installGcHook?: GcHookInstaller } = {}): CollectorSet {
  const cfg = resolveConfig(config)
  stopCollectors()
  const set = createCollectorSet(cfg, {
    startSampler: opts.startSampler ?? (cfg.collectors.includes('alloc') ? samplerStarter() : undefined),
    installGcHook: opts.installGcHook ?? (cfg.collectors.includes('gc') ? gcHookInstaller() : undefined),
  })
  set.start()
  const stops: (() => void)[] = []
  if (isMainThread) stops.push(startWorkerReceiver(set))
  else stops.push(startWorkerForwarder(set))
  current = { set, stops, registry: isMainThread ? createPrometheusRegistry(set) : undefined }
  return set
}

export function stopCollectors(): void {
  if (!current) return
  for (const s of current.stops) { try { s() } catch { /* already stopped */ } }
  current.set.stop()
  current = undefined
}

const sources = {
  snapshot: (): CollectorsSnapshot => toSnapshot(current?.set),
  registry: (): Registry | undefined => current?.registry,
}

export const collectors = {
  start: startCollectors,
  stop: stopCollectors,
  get running(): boolean { return current !== undefined },
  get set(): CollectorSet | undefined { return current?.set },
  snapshot: sources.snapshot,
  /** Prometheus text exposition (prom-client). Empty string when not started. */
  async metrics(): Promise<string> { return current?.registry ? current.registry.metrics() : '' },
  registry: sources.registry,
  /** node:http handlers for GET /api/snapshot and GET /metrics (the dashboard mounts these). */
  handlers: { snapshot: snapshotHandler(sources), metrics: metricsHandler(sources) },
  /** Serve /api/snapshot and /metrics on host:port (127.0.0.1 by default). */
  serve: (port: number, host?: string) => serveCollectors(sources, port, host),
}
