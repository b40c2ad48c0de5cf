// Per-request cost by route: CPU time, GC time that overlapped the request, bytes allocated.
//
// Attribution (one thread runs many requests at once, so plain start→finish deltas would charge
// each request for its neighbours' work):
// - CPU: at every request start/finish we read process.cpuUsage() and split the CPU used since the
//   previous event evenly among the requests in flight (a running "CPU per in-flight request"
//   sum; a request's CPU = the sum's value at finish − at start). Exact for sequential requests;
//   under concurrency an even split of each interval. Limit: Node 20 has no per-thread CPU clock,
//   so CPU of worker threads running at the same time is charged too.
// - Allocated bytes: the same even split of V8's used-heap delta between events, plus, for every
//   GC that started inside the request, the bytes that GC freed divided by the requests in flight
//   then (freed memory was allocated before it was freed). GC events may arrive late (the native
//   ring is drained asynchronously), so finished requests wait `graceMs` before they are counted.
//   Limits: external memory (Buffers) is not V8 heap; allocations by timers or other non-request
//   work during a request are charged to the requests in flight.
// - GC time: every GC pause whose start lies inside [start, finish] counts fully for every
//   request in flight: a pause stops all of them, so this is the latency GC added to the request.
import v8 from 'node:v8'
import { threadId } from 'node:worker_threads'
import { httpEvents, gcEvents, HttpEvent, GcEvent } from '../probes/runtime-events'
import { Histogram, HistogramSnapshot, createTimeHistogram, createBytesHistogram, summarize } from './histogram'
import { RouteTable } from './route-template'
import { createCollectorGuard, guardedInterval } from './collector-guard'

interface Pending {
  id: number; startNs: number; endNs: number; route: string
  cpuAt0: number; heapAt0: number; cpuUs: number; heapShare: number
  gcNs: number; freedShare: number
}

export interface RouteCost { route: string; count: number; cpu: Histogram; gc: Histogram; allocated: Histogram }

export interface RequestCostSnapshot {
  routes: {
    route: string; count: number
    cpuNs: ReturnType<typeof summarize>; gcNs: ReturnType<typeof summarize>; allocatedBytes: ReturnType<typeof summarize>
    /** Mean GC time / mean request CPU time. */
    gcShareOfCpu: number
    histograms: { cpu: HistogramSnapshot; gc: HistogramSnapshot; allocated: HistogramSnapshot }
  }[]
  dropped: number
}

const MAX_INFLIGHT = 10000
const MAX_PENDING = 10000

export function createRequestCostCollector(opts: { maxRoutes?: number; graceMs?: number; routes?: RouteTable } = {}) {
  const routes = opts.routes ?? new RouteTable(opts.maxRoutes ?? 100)
  const graceNs = (opts.graceMs ?? 200) * 1e6
  const guard = createCollectorGuard('request-cost')
  const inflight = new Map<number, Pending>()
  let pending: Pending[] = []
  const byRoute = new Map<string, RouteCost>()
  let cpuSum = 0, heapSum = 0, lastCpu = 0, lastHeap = 0, dropped = 0
  let unsubs: (() => void)[] = [], stopTimer: (() => void) | undefined
  let running = false

  function advance(): void {
    const u = process.cpuUsage()
    const cpu = u.user + u.system
    const heap = v8.getHeapStatistics().used_heap_size
    const n = inflight.size
    if (n > 0) { cpuSum += (cpu - lastCpu) / n; heapSum += (heap - lastHeap) / n }
    lastCpu = cpu; lastHeap = heap
  }

  function onHttp(e: HttpEvent): void {
    if (e.side !== 'server') return
    if (e.phase === 'request') {
      advance()
      if (inflight.size >= MAX_INFLIGHT) { dropped++; return }
      inflight.set(e.requestId, { id: e.requestId, startNs: Number(process.hrtime.bigint()), endNs: 0, route: '', cpuAt0: cpuSum, heapAt0: heapSum, cpuUs: 0, heapShare: 0, gcNs: 0, freedShare: 0 })
    } else {
      const r = inflight.get(e.requestId)
      if (r === undefined) return
      advance()
      inflight.delete(e.requestId)
      r.endNs = Number(process.hrtime.bigint())
      r.cpuUs = cpuSum - r.cpuAt0
      r.heapShare = heapSum - r.heapAt0
      r.route = routes.label(e.url, e.route)
      if (pending.length >= MAX_PENDING) { pending.shift(); dropped++ }
      pending.push(r)
    }
  }

  function onGc(e: GcEvent): void {
    if (e.threadId !== threadId) return
    const freed = Math.max(0, e.usedBeforeBytes - e.usedAfterBytes)
    const hits: Pending[] = []
    for (const r of inflight.values()) if (r.startNs <= e.startNs) hits.push(r)
    for (const r of pending) if (r.startNs <= e.startNs && e.startNs <= r.endNs) hits.push(r)
    for (const r of hits) { r.gcNs += e.durationNs; r.freedShare += freed / hits.length }
  }

  function finalize(all: boolean): void {
    if (pending.length === 0) return
    const cutoff = Number(process.hrtime.bigint()) - graceNs
    let k = 0
    while (k < pending.length && (all || pending[k].endNs <= cutoff)) {
      const r = pending[k++]
      let c = byRoute.get(r.route)
      if (c === undefined) { c = { route: r.route, count: 0, cpu: createTimeHistogram(), gc: createTimeHistogram(), allocated: createBytesHistogram() }; byRoute.set(r.route, c) }
      c.count++
      c.cpu.record(r.cpuUs * 1000)
      c.gc.record(r.gcNs)
      c.allocated.record(Math.max(0, r.heapShare + r.freedShare))
    }
    if (k > 0) pending = pending.slice(k)
  }

  const collector = {
    name: 'request-cost' as const,
    guard,
    byRoute,
    get running() { return running },
    start(): void {
      if (running) return
      running = true
      guard.rearm()
      const u = process.cpuUsage(); lastCpu = u.user + u.system
      lastHeap = v8.getHeapStatistics().used_heap_size
      unsubs = [httpEvents.subscribe(guard.wrap(onHttp)), gcEvents.subscribe(guard.wrap(onGc))]
      stopTimer = guardedInterval(guard, 100, () => finalize(false))
    },
    stop(): void {
      running = false
      for (const u of unsubs) u()
      unsubs = []
      stopTimer?.(); stopTimer = undefined
    },
    recordHttp: guard.wrap(onHttp),
    recordGc: guard.wrap(onGc),
    /** Count finished requests now; `all` skips the grace period for late GC events. */
    flush: guard.wrap((all?: boolean) => finalize(all === true)),
    snapshot(): RequestCostSnapshot {
      return {
        routes: [...byRoute.values()].map((c) => ({
          route: c.route, count: c.count,
          cpuNs: summarize(c.cpu), gcNs: summarize(c.gc), allocatedBytes: summarize(c.allocated),
          gcShareOfCpu: c.cpu.sum > 0 ? c.gc.sum / c.cpu.sum : 0,
          histograms: { cpu: c.cpu.snapshot(), gc: c.gc.snapshot(), allocated: c.allocated.snapshot() },
        })),
        dropped,
      }
    },
  }
  guard.onTrip(collector.stop)
  return collector
}

export type RequestCostCollector = ReturnType<typeof createRequestCostCollector>
