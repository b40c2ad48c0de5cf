// The set of collectors one thread runs, built from a validated config. Main thread: every
// configured collector, merged with what worker threads forward. Worker thread: only the
// thread-local ones (messages, gc), whose deltas are forwarded to the main thread.
import type { CollectorName, CollectorsConfig } from './config'
import type { Collector } from './collector'
import { createMessageCollector, MessageCollector } from './message-latency'
import { createGcCollector, GcCollector } from './gc'
import { createEventLoopCollector, EventLoopCollector } from './event-loop'
import { createHttpCollector, HttpCollector } from './http-requests'
import { createRequestCostCollector, RequestCostCollector } from './request-cost'
import { createAllocationCollector, AllocationCollector } from './allocation'
import type { AllocSampleEvent, EventSource, GcEvent } from '../runtime/runtime-events'
import { RouteTable } from './route-template'
import { isMainThread } from '../runtime/thread'

/** The collectors by key, each with its own type. */
export interface Collectors {
  messages?: MessageCollector
  gc?: GcCollector
  eventloop?: EventLoopCollector
  http?: HttpCollector
  requestCost?: RequestCostCollector
  alloc?: AllocationCollector
}

export interface CollectorSet {
  readonly config: CollectorsConfig
  readonly collectors: Collectors
  start(): void
  stop(): void
}

/** `gcEvents` / `allocEvents`: sources other than the native ones (tests feed their own). */
export interface CollectorSetOptions { gcEvents?: EventSource<GcEvent>; allocEvents?: EventSource<AllocSampleEvent>; mainThread?: boolean }

interface Shared { config: CollectorsConfig; opts: CollectorSetOptions; ring: { intervalMs: number; seriesSlots: number }; routes: RouteTable }

/**
 * Every collector, in start order: the config name that selects it, whether it runs in worker
 * threads too (thread-local data forwarded to the main thread) or in the main thread only, and
 * how it is made from the config.
 */
const COLLECTORS: { [K in keyof Collectors]-?: { name: CollectorName; workers: boolean; create(s: Shared): NonNullable<Collectors[K]> } } = {
  messages: { name: 'messages', workers: true, create: (s) => createMessageCollector({ maxChannels: s.config.maxChannels, ...s.ring }) },
  gc: { name: 'gc', workers: true, create: (s) => createGcCollector({ ...s.ring, events: s.opts.gcEvents }) },
  eventloop: { name: 'eventloop', workers: false, create: (s) => createEventLoopCollector(s.ring) },
  http: { name: 'http', workers: false, create: (s) => createHttpCollector({ maxRoutes: s.config.maxRoutes, routes: s.routes, ...s.ring }) },
  requestCost: { name: 'request-cost', workers: false, create: (s) => createRequestCostCollector({ maxRoutes: s.config.maxRoutes, routes: s.routes, measuredPerSec: s.config.costPerSec }) },
  alloc: {
    name: 'alloc', workers: false,
    create: (s) => createAllocationCollector({ intervalBytes: s.config.allocIntervalBytes, maxSamplesPerSec: s.config.allocMaxRate, topSites: s.config.topSites, events: s.opts.allocEvents }),
  },
}

export function createCollectorSet(config: CollectorsConfig, opts: CollectorSetOptions = {}): CollectorSet {
  const on = new Set(config.collectors)
  const main = opts.mainThread ?? isMainThread()
  const shared: Shared = { config, opts, ring: { intervalMs: config.intervalMs, seriesSlots: config.seriesSlots }, routes: new RouteTable(config.maxRoutes) }
  const collectors: Collectors = {}
  const made: Collector[] = []
  for (const key of Object.keys(COLLECTORS) as (keyof Collectors)[]) {
    const entry = COLLECTORS[key]
    if (!on.has(entry.name) || (!main && !entry.workers)) continue
    const c = entry.create(shared)
    ;(collectors as Record<string, Collector>)[key] = c
    made.push(c)
  }
  return {
    config,
    collectors,
    start() { for (const c of made) c.start() },
    stop() { for (const c of made) c.stop() },
  }
}
