// The set of collectors one thread runs, built from a validated config. Main thread: every
// configured collector, merged with what worker threads forward. Worker thread: only the
// thread-local ones (messages, gc), whose deltas are forwarded to the main thread.
import { isMainThread } from 'node:worker_threads'
import { CollectorsConfig } from './config'
import { createMessageCollector, MessageCollector } from './message-latency'
import { createGcCollector, GcCollector } from './gc'
import { createEventLoopCollector, EventLoopCollector } from './event-loop'
import { createHttpCollector, HttpCollector } from './http-requests'
import { createRequestCostCollector, RequestCostCollector } from './request-cost'
import { createAllocationCollector, AllocationCollector } from './allocation'
import type { AllocSampleEvent, EventSource, GcEvent } from '../runtime/runtime-events'
import { RouteTable } from './route-template'

export interface CollectorSet {
  readonly config: CollectorsConfig
  readonly collectors: {
    messages?: MessageCollector
    gc?: GcCollector
    eventloop?: EventLoopCollector
    http?: HttpCollector
    requestCost?: RequestCostCollector
    alloc?: AllocationCollector
  }
  start(): void
  stop(): void
}

export function createCollectorSet(config: CollectorsConfig, opts: { gcEvents?: EventSource<GcEvent>; allocEvents?: EventSource<AllocSampleEvent>; mainThread?: boolean } = {}): CollectorSet {
  const on = new Set(config.collectors)
  const main = opts.mainThread ?? isMainThread
  const ring = { intervalMs: config.intervalMs, seriesSlots: config.seriesSlots }
  const routes = new RouteTable(config.maxRoutes)
  const collectors: CollectorSet['collectors'] = {}
  if (on.has('messages')) collectors.messages = createMessageCollector({ maxChannels: config.maxChannels, ...ring })
  if (on.has('gc')) collectors.gc = createGcCollector({ ...ring, events: opts.gcEvents })
  if (main) {
    if (on.has('eventloop')) collectors.eventloop = createEventLoopCollector(ring)
    if (on.has('http')) collectors.http = createHttpCollector({ maxRoutes: config.maxRoutes, routes, ...ring })
    if (on.has('request-cost')) collectors.requestCost = createRequestCostCollector({ maxRoutes: config.maxRoutes, routes, measuredPerSec: config.costPerSec })
    if (on.has('alloc')) collectors.alloc = createAllocationCollector({ intervalBytes: config.allocIntervalBytes, maxSamplesPerSec: config.allocMaxRate, topSites: config.topSites, events: opts.allocEvents })
  }
  const all = () => Object.values(collectors).filter((c) => c !== undefined)
  return {
    config,
    collectors,
    start() { for (const c of all()) c.start() },
    stop() { for (const c of all()) c.stop() },
  }
}
