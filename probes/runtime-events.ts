// In-process event sources: one runtime hook feeds both its USDT probe and any collector.
// A hook fires the probe when the probe's semaphore is set, and emits here only when
// `source.active` (someone subscribed), so nothing is built while nobody listens.
// A listener that throws is counted and, after repeated faults, unsubscribed with one
// process.emitWarning: a collector must never hurt the host.

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
  /** True while at least one listener is subscribed: hooks test it before building an event. */
  readonly active: boolean
  subscribe(listener: (event: T) => void): () => void
  emit(event: T): void
  /** Listener faults seen so far. */
  readonly faults: number
}

const MAX_FAULTS = 10

export function createEventSource<T>(name: string): EventSource<T> {
  let listeners: ((event: T) => void)[] = []
  let faults = 0
  const faultsBy = new Map<(event: T) => void, number>()
  const source: EventSource<T> = {
    name,
    get active() { return listeners.length > 0 },
    get faults() { return faults },
    subscribe(listener) {
      listeners = [...listeners, listener]
      return () => { listeners = listeners.filter((l) => l !== listener) }
    },
    emit(event) {
      const ls = listeners
      for (let i = 0; i < ls.length; i++) {
        try {
          ls[i](event)
        } catch (err) {
          faults++
          const n = (faultsBy.get(ls[i]) ?? 0) + 1
          faultsBy.set(ls[i], n)
          if (n >= MAX_FAULTS) {
            const bad = ls[i]
            listeners = listeners.filter((l) => l !== bad)
            process.emitWarning(`sonde: a ${name} listener threw ${n} times and was switched off: ${(err as Error)?.message ?? err}`, { code: 'SONDE_LISTENER_FAULT' })
          }
        }
      }
    },
  }
  return source
}

export const gcEvents = createEventSource<GcEvent>('gc')
export const httpEvents = createEventSource<HttpEvent>('http')
export const messageEvents = createEventSource<MessageEvent>('message')
export const loopLagEvents = createEventSource<LoopLagEvent>('loop-lag')
export const allocSampleEvents = createEventSource<AllocSampleEvent>('alloc-sample')
