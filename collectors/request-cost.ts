// Per-request cost by route: CPU time, GC time that overlapped the request, bytes allocated.
//
// Attribution (one thread runs many requests at once, so plain start→finish deltas would charge
// each request for its neighbours' work):
// - Share: at every request start/finish we advance a running "wall time per in-flight request"
//   sum from process.hrtime (cheap); a request's share = that sum's growth while it ran divided
//   by its wall time (1 when it ran alone, 1/n while n ran together).
// - CPU: the main thread's event-loop busy time (performance.eventLoopUtilization().active:
//   wall time not spent waiting in the poll phase) at start and finish × share. Busy time is the
//   thread's CPU time except while it blocks in a synchronous call or the OS preempts it; it is
//   read from the loop's own counters (~50 ns), counts only this thread (not GC helper or worker
//   threads, unlike process.cpuUsage()), and contains the request's GC pauses, so GC time /
//   CPU time is a share of the same clock. process.cpuUsage() (getrusage over every thread) was
//   the first choice and cost ~75 µs per measured request on a loaded 2-vCPU host (bench).
//   Exact for sequential requests; under concurrency an even split.
// - Allocated bytes: V8's used-heap delta between start and finish × share, plus, for every GC
//   that started inside the request, the bytes that GC freed divided by the requests in flight
//   then (freed memory was allocated before it was freed). GC events may arrive late (the native
//   ring is drained asynchronously), so finished requests wait `graceMs` before they are counted.
//   Limits: external memory (Buffers) is not V8 heap; allocations by timers or other non-request
//   work during a request are charged to the requests in flight.
// - Measured requests: the clock and heap reads cost ~1 µs per request, so CPU and allocation
//   are measured for at most `measuredPerSec` requests per second (token bucket, default 200:
//   every request of a server below that rate, a time-uniform sample above it); `count` is every
//   request, `measured` the ones behind the CPU/allocation histograms.
// - GC time: every GC pause whose start lies inside [start, finish] counts fully for every
//   request in flight (measured or not): a pause stops all of them, so this is the latency GC
//   added to the request.
import v8 from 'node:v8'
import { performance } from 'node:perf_hooks'
import { threadId } from 'node:worker_threads'
import { httpEvents, gcEvents, HttpEvent, GcEvent } from '../probes/runtime-events'
import { Histogram, HistogramSnapshot, createTimeHistogram, createBytesHistogram, summarize } from './histogram'
import { RouteTable } from './route-template'
import { createCollectorGuard, guardedInterval } from './collector-guard'

interface Pending {
  id: number; startNs: number; endNs: number; route: string
  /** Wall-per-in-flight sum at start; cpu/heap at start, or -1 when not measured. */
  wallAt0: number; cpuAt0: number; heapAt0: number
  cpuUs: number; heapShare: number
  gcNs: number; freedShare: number
}

export interface RouteCost { route: string; count: number; measured: number; cpu: Histogram; gc: Histogram; allocated: Histogram }

export interface RequestCostSnapshot {
  routes: {
    route: string
    /** Requests finished. */
    count: number
    /** Requests whose CPU and allocation were measured (the cpu/allocated histograms). */
    measured: number
    cpuNs: ReturnType<typeof summarize>; gcNs: ReturnType<typeof summarize>; allocatedBytes: ReturnType<typeof summarize>
    /** Mean GC time per request / mean CPU time per measured request. */
    gcShareOfCpu: number
    histograms: { cpu: HistogramSnapshot; gc: HistogramSnapshot; allocated: HistogramSnapshot }
  }[]
  dropped: number
}

const MAX_INFLIGHT = 10000
const MAX_PENDING = 10000

export function createRequestCostCollector(opts: { maxRoutes?: number; graceMs?: number; routes?: RouteTable; measuredPerSec?: number } = {}) {
  const rate = opts.measuredPerSec ?? 200
  const routes = opts.routes ?? new RouteTable(opts.maxRoutes ?? 100)
  const graceNs = (opts.graceMs ?? 200) * 1e6
  const guard = createCollectorGuard('request-cost')
  const inflight = new Map<number, Pending>()
  let pending: Pending[] = []
  const byRoute = new Map<string, RouteCost>()
  let wallSum = 0, lastNs = 0, tokens = rate, tokenNs = 0, dropped = 0
  let unsubs: (() => void)[] = [], stopTimer: (() => void) | undefined
  let running = false

  /** Advance the wall-per-in-flight sum to `now` (before the in-flight set changes). */
  function advance(now: number): void {
    const n = inflight.size
    if (n > 0) wallSum += (now - lastNs) / n
    lastNs = now
  }

  function takeToken(now: number): boolean {
    if (tokens < 1) {
      tokens = Math.min(rate, tokens + ((now - tokenNs) * rate) / 1e9)
      tokenNs = now
      if (tokens < 1) return false
    }
    tokens--
    return true
  }

  /** Event-loop busy time, µs. */
  function cpuNow(): number { return performance.eventLoopUtilization().active * 1000 }

  function onHttp(e: HttpEvent): void {
    if (e.side !== 'server') return
    // The hook's own clock reads (same process.hrtime clock): no extra read per event.
    const now = e.phase === 'request' ? e.startNs : e.startNs + (e.durationNs ?? 0)
    if (e.phase === 'request') {
      advance(now)
      if (inflight.size >= MAX_INFLIGHT) { dropped++; return }
      const measured = takeToken(now)
      inflight.set(e.requestId, {
        id: e.requestId, startNs: now, endNs: 0, route: '', wallAt0: wallSum,
        cpuAt0: measured ? cpuNow() : -1, heapAt0: measured ? v8.getHeapStatistics().used_heap_size : -1,
        cpuUs: 0, heapShare: 0, gcNs: 0, freedShare: 0,
      })
    } else {
      const r = inflight.get(e.requestId)
      if (r === undefined) return
      advance(now)
      inflight.delete(e.requestId)
      r.endNs = now
      if (r.cpuAt0 >= 0) {
        const wall = now - r.startNs
        const share = wall > 0 ? Math.min(1, (wallSum - r.wallAt0) / wall) : 1
        r.cpuUs = (cpuNow() - r.cpuAt0) * share
        r.heapShare = (v8.getHeapStatistics().used_heap_size - r.heapAt0) * share
      }
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
      if (c === undefined) { c = { route: r.route, count: 0, measured: 0, cpu: createTimeHistogram(), gc: createTimeHistogram(), allocated: createBytesHistogram() }; byRoute.set(r.route, c) }
      c.count++
      c.gc.record(r.gcNs)
      if (r.cpuAt0 >= 0) {
        c.measured++
        c.cpu.record(r.cpuUs * 1000)
        c.allocated.record(Math.max(0, r.heapShare + r.freedShare))
      }
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
      lastNs = tokenNs = Number(process.hrtime.bigint())
      tokens = rate
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
          route: c.route, count: c.count, measured: c.measured,
          cpuNs: summarize(c.cpu), gcNs: summarize(c.gc), allocatedBytes: summarize(c.allocated),
          gcShareOfCpu: c.cpu.sum > 0 && c.gc.count > 0 ? (c.gc.sum / c.gc.count) / (c.cpu.sum / c.cpu.count) : 0,
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
