// In-process event sources: one runtime hook feeds both its USDT probe and any collector.
// A hook fires the probe when the probe's semaphore is set, and emits here only when
// `source.active` (someone subscribed), so nothing is built while nobody listens.
// A listener that throws is counted and, after repeated faults, unsubscribed with one
// process.emitWarning (its own fault guard, FAULT_LIMITS.listener): a collector must never hurt the host.
// A source fed by a native producer (the GC ring, the allocation sampler) owns it: the producer
// starts on the first subscriber (or retain()) and stops after the last, so consumers only
// subscribe and there is one place that switches each native resource on.
import { debuglog } from 'node:util'
import { createFaultGuard, FAULT_LIMITS, type FaultGuard } from './fault-guard'

const debug = debuglog('sonde')

export interface GcEvent {
  /** V8 GCType bits (1 scavenge, 2 minor mark-compact, 4 mark-sweep-compact, 8 incremental marking, 16 weak callbacks). */
  kind: number
  flags: number
  /** Prologue time, process.hrtime.bigint() clock, as a number of ns. */
  startNs: number
  durationNs: number
  usedBeforeBytes: number
  usedAfterBytes: number
  committedBeforeBytes: number
  committedAfterBytes: number
  /** worker_threads.threadId of the isolate (0 = main thread). */
  threadId: number
}

export interface HttpEvent {
  side: 'server' | 'client'
  phase: 'request' | 'response'
  requestId: number
  method: string
  url: string
  /** Route template when the framework knows it (express), else undefined. */
  route?: string
  status?: number
  startNs: number
  durationNs?: number
}

export interface MessageEvent {
  phase: 'send' | 'receive'
  channelId: number
  seq: number
  /** Payload bytes when cheaply known, else -1. */
  bytes: number
  /** Set on 'receive': send → pick-up by the receiving JS, ns. */
  latencyNs?: number
  /** 'parent->worker', 'worker->parent', 'port', 'ipc'. */
  direction: string
  threadId: number
}

export interface LoopLagEvent { delayNs: number }

export interface AllocSampleEvent {
  /** Bytes this sample stands for (object size × V8's scaled count). */
  bytes: number
  /** The sampled object's own size, bytes (absent from emitters that do not know it). */
  size?: number
  functionName: string; url: string; line: number; stack?: string[]
}

export interface EventSource<T> {
  readonly name: string
  /** True while at least one (non-passive) listener is subscribed: hooks test it before building an event. */
  readonly active: boolean
  subscribe(listener: (event: T) => void): () => void
  /**
   * A listener that gets what `emit` sends but does not make the source `active`: for a consumer
   * the hook feeds another way (the HTTP collectors read httpServerLog) that still accepts events
   * from other emitters.
   */
  subscribePassive(listener: (event: T) => void): () => void
  emit(event: T): void
  /** Emit to the non-passive listeners only (a hook that already fed the passive ones another way). */
  emitActive(event: T): void
  /** Listener faults seen so far. */
  readonly faults: number
  /** Keeps the source's producer running without listening (a tracer's probe fed natively); returns release(). */
  retain(): () => void
  /** True while the producer runs. */
  readonly producing: boolean
}

/** Starts a native producer; returns its stop function. */
export type Producer = () => () => void

export function createEventSource<T>(name: string, producer?: Producer): EventSource<T> {
  let listeners: ((event: T) => void)[] = []
  let passive: ((event: T) => void)[] = []
  let faults = 0
  let holds = 0
  let stopProducer: (() => void) | undefined
  /** Starts the producer when someone needs it, stops it when no one does; never throws. */
  function reconcile(): void {
    if (!producer) return
    const want = listeners.length + holds > 0
    try {
      if (want && !stopProducer) stopProducer = producer()
      else if (!want && stopProducer) { const stop = stopProducer; stopProducer = undefined; stop() }
    } catch (err) { faults++; debug('%s producer failed: %s', name, (err as Error)?.stack ?? err) }
  }
  const guards = new Map<(event: T) => void, FaultGuard>()
  /** The listener's guard, made at its first fault: tripping unsubscribes it. */
  const guardOf = (l: (event: T) => void): FaultGuard => {
    let g = guards.get(l)
    if (!g) {
      g = createFaultGuard(name, FAULT_LIMITS.listener)
      g.onTrip(() => {
        listeners = listeners.filter((x) => x !== l)
        passive = passive.filter((x) => x !== l)
        source.active = listeners.length > 0
        reconcile()
      })
      guards.set(l, g)
    }
    return g
  }
  function deliver(ls: ((event: T) => void)[], event: T): void {
    for (let i = 0; i < ls.length; i++) {
      try {
        ls[i](event)
      } catch (err) {
        faults++
        guardOf(ls[i]).fault(err)
      }
    }
  }
  // `active` is a plain field kept in step with `listeners`: hooks read it per event (a getter
  // here ran as its own call, not inlined, in perf profiles of an express server).
  const source: EventSource<T> & { active: boolean } = {
    name,
    active: false,
    get faults() { return faults },
    get producing() { return stopProducer !== undefined },
    subscribe(listener) {
      listeners = [...listeners, listener]
      source.active = true
      reconcile()
      let done = false
      return () => {
        if (done) return
        done = true
        listeners = listeners.filter((l) => l !== listener); source.active = listeners.length > 0
        reconcile()
      }
    },
    retain() {
      holds++
      reconcile()
      let done = false
      return () => { if (!done) { done = true; holds--; reconcile() } }
    },
    subscribePassive(listener) {
      passive = [...passive, listener]
      return () => { passive = passive.filter((l) => l !== listener) }
    },
    emit(event) {
      deliver(listeners, event)
      if (passive.length > 0) deliver(passive, event)
    },
    emitActive(event) { deliver(listeners, event) },
  }
  return source
}

export const httpEvents = createEventSource<HttpEvent>('http')
export const messageEvents = createEventSource<MessageEvent>('message')
export const loopLagEvents = createEventSource<LoopLagEvent>('loop-lag')
// gcEvents and allocSampleEvents are defined by their producers' owners: runtime/gc-ring.ts and
// runtime/alloc-sampler.ts.

/**
 * HTTP server requests for the in-process collectors, written by the HTTP hook as columns of a
 * ring instead of an event object and two listener calls per request: the hook stores a few
 * numbers and references per request, the readers (http and request-cost collectors) consume the
 * entries in batches from their timers, before a snapshot, and whenever the writer has filled a
 * quarter of the ring (so a reader never falls more than SIZE/4 entries behind while it is on).
 * Entries: kind 1 = request start (id, ns), kind 2 = response finish (id, ns = finish time,
 * startNs, status, method, route/baseUrl when express knew the route, else url). Only the
 * requests the hook measured for request-cost (at most `measuredPerSec` per second) have a start
 * entry; their finish carries what request-context.ts attributed to the request's own code:
 * cpuNs (thread CPU), allocBytes (V8 heap), gcNs (CPU of GCs started in its code) and looseGcNs
 * (its share of GCs started between callbacks while it ran, loose-gc.ts); cpuNs = -1 on the
 * finish of a request not measured. Kind 3 = a finished request's share of a later such GC
 * (id, startNs = the seq of its finish entry, gcNs).
 */
export interface HttpServerLog {
  readonly size: number
  /** Entries written so far; entry n lives at n & (size - 1). */
  seq: number
  /** True while a reader is subscribed (a plain field: the hook reads it per request). */
  active: boolean
  /** Requests per second to measure CPU/heap for (request-cost's budget; 0 = none). */
  measuredPerSec: number
  // The columns are empty (length 0) until a writer's first entry calls ensure(): a program that
  // serves no HTTP does not carry ~360 kB of them. A reader only reads entries below seq.
  kind: Uint8Array
  id: Float64Array
  ns: Float64Array
  startNs: Float64Array
  status: Uint16Array
  cpuNs: Float64Array
  allocBytes: Float64Array
  gcNs: Float64Array
  looseGcNs: Float64Array
  method: (string | undefined)[]
  route: (string | undefined)[]
  base: (string | undefined)[]
  url: (string | undefined)[]
  /** Allocates the columns (once); a writer calls it before its first entry. */
  ensure(): void
  /** A reader's drain, called when a quarter of the ring has been written; must not throw. */
  subscribe(drain: () => void): () => void
  /** Called by the writer after each entry whose seq is a multiple of size / 4. */
  drainAll(): void
}

export const HTTP_LOG_START = 1, HTTP_LOG_FINISH = 2, HTTP_LOG_GC = 3

export function createHttpServerLog(size = 4096): HttpServerLog {
  let readers: (() => void)[] = []
  const refs = (n: number) => new Array<string | undefined>(n).fill(undefined)
  const log: HttpServerLog = {
    size, seq: 0, active: false, measuredPerSec: 0,
    kind: new Uint8Array(0), id: new Float64Array(0), ns: new Float64Array(0), startNs: new Float64Array(0),
    status: new Uint16Array(0), cpuNs: new Float64Array(0), allocBytes: new Float64Array(0), gcNs: new Float64Array(0),
    looseGcNs: new Float64Array(0),
    method: refs(0), route: refs(0), base: refs(0), url: refs(0),
    ensure() {
      if (log.kind.length === size) return
      log.kind = new Uint8Array(size); log.id = new Float64Array(size); log.ns = new Float64Array(size); log.startNs = new Float64Array(size)
      log.status = new Uint16Array(size); log.cpuNs = new Float64Array(size).fill(-1); log.allocBytes = new Float64Array(size)
      log.gcNs = new Float64Array(size); log.looseGcNs = new Float64Array(size)
      log.method = refs(size); log.route = refs(size); log.base = refs(size); log.url = refs(size)
    },
    subscribe(drain) {
      readers = [...readers, drain]
      log.active = true
      return () => { readers = readers.filter((r) => r !== drain); log.active = readers.length > 0 }
    },
    drainAll() {
      const rs = readers
      for (let i = 0; i < rs.length; i++) rs[i]()
    },
  }
  return log
}

export const httpServerLog = createHttpServerLog()
