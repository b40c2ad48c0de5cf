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
// - Feed: the HTTP hook appends each server request's start and finish to httpServerLog
//   (runtime-events.ts), with the busy-time and heap reads of the requests it measured; this
//   collector replays the log in order in batches (its 100 ms timer, before a GC event is
//   attributed, before a flush), which gives the same in-flight sets and shares as handling each
//   event when it happened. httpEvents emitted by others (tests) are still handled one by one.
// - Storage: no object per request. Requests in flight live in typed-array slots indexed by
//   request id (a dense list of occupied slots for the per-GC scan); finished ones wait out the
//   grace period in a ring in finish order (a GC only scans the finished requests that ended
//   after it started, newest first). A request whose finish never comes (client aborted: Node
//   publishes no response.finish) keeps its slot until a request with a colliding id evicts it
//   (counted in `dropped`); at most IN_SLOTS in flight and PENDING_SLOTS waiting (oldest dropped).
// - GC time: every GC pause whose start lies inside [start, finish] counts fully for every
//   request in flight (measured or not): a pause stops all of them, so this is the latency GC
//   added to the request.
import v8 from 'node:v8'
import { TokenBucket, loopBusyUs } from '../probes/measure-budget'
import { threadId } from 'node:worker_threads'
import { httpEvents, gcEvents, httpServerLog, HTTP_LOG_START, HttpEvent, GcEvent } from '../probes/runtime-events'
import { Histogram, HistogramSnapshot, createTimeHistogram, createBytesHistogram, summarize } from './histogram'
import { RouteTable } from './route-template'
import { createCollectorGuard, guardedInterval } from './collector-guard'

const log = httpServerLog  // a local: one load fewer per access than the module binding

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

const IN_SLOTS = 8192
const PENDING_SLOTS = 16384

export function createRequestCostCollector(opts: { maxRoutes?: number; graceMs?: number; routes?: RouteTable; measuredPerSec?: number } = {}) {
  const rate = opts.measuredPerSec ?? 200
  const routes = opts.routes ?? new RouteTable(opts.maxRoutes ?? 100)
  const graceNs = (opts.graceMs ?? 200) * 1e6
  const guard = createCollectorGuard('request-cost')
  // In flight, by slot = requestId & (IN_SLOTS - 1). cpuAt0 / heapAt0 are -1 when not measured.
  const inId = new Float64Array(IN_SLOTS).fill(-1)
  const inStart = new Float64Array(IN_SLOTS), inWallAt0 = new Float64Array(IN_SLOTS)
  const inCpuAt0 = new Float64Array(IN_SLOTS), inHeapAt0 = new Float64Array(IN_SLOTS)
  const inGcNs = new Float64Array(IN_SLOTS), inFreed = new Float64Array(IN_SLOTS)
  const live = new Int32Array(IN_SLOTS), livePos = new Int32Array(IN_SLOTS)
  let liveN = 0
  // Finished, waiting `graceMs` for late GC events: a ring in finish order. cpuNs is -1 when not measured.
  const pStart = new Float64Array(PENDING_SLOTS), pEnd = new Float64Array(PENDING_SLOTS)
  const pCpuNs = new Float64Array(PENDING_SLOTS), pHeap = new Float64Array(PENDING_SLOTS)
  const pGcNs = new Float64Array(PENDING_SLOTS), pFreed = new Float64Array(PENDING_SLOTS)
  const pRoute: (RouteCost | undefined)[] = new Array(PENDING_SLOTS).fill(undefined)
  let pHead = 0, pLen = 0
  const byRoute = new Map<string, RouteCost>()
  let lastLabel = '', lastCost: RouteCost | undefined
  let wallSum = 0, lastNs = 0, dropped = 0
  let bucket = new TokenBucket()
  let unsubs: (() => void)[] = [], stopTimer: (() => void) | undefined
  let running = false

  /** Advance the wall-per-in-flight sum to `now` (before the in-flight set changes). */
  function advance(now: number): void {
    if (liveN > 0) wallSum += (now - lastNs) / liveN
    lastNs = now
  }

  function unlink(slot: number): void {
    const at = livePos[slot], moved = live[--liveN]
    live[at] = moved
    livePos[moved] = at
    inId[slot] = -1
  }

  function costOf(label: string): RouteCost {
    if (label === lastLabel && lastCost !== undefined) return lastCost
    let c = byRoute.get(label)
    if (c === undefined) { c = { route: label, count: 0, measured: 0, cpu: createTimeHistogram(), gc: createTimeHistogram(), allocated: createBytesHistogram() }; byRoute.set(label, c) }
    lastLabel = label; lastCost = c
    return c
  }

  function requestStart(id: number, now: number, measure: boolean): void {
    if (!(id >= 0)) return  // ids are non-negative (the hook counts from 1); anything else is not ours
    advance(now)
    const slot = id & (IN_SLOTS - 1)
    if (inId[slot] >= 0) { unlink(slot); dropped++ }  // a request that never finished (or an id collision)
    inId[slot] = id
    live[liveN] = slot; livePos[slot] = liveN++
    inStart[slot] = now; inWallAt0[slot] = wallSum; inGcNs[slot] = 0; inFreed[slot] = 0
    if (measure && bucket.take(now, rate)) { inCpuAt0[slot] = loopBusyUs(); inHeapAt0[slot] = v8.getHeapStatistics().used_heap_size }
    else inCpuAt0[slot] = -1
  }

  /** A finish from httpEvents: reads busy time and heap now for a measured request. */
  function eventFinish(id: number, now: number, url: string, route: string | undefined): void {
    const slot = id & (IN_SLOTS - 1)
    if (inId[slot] !== id) return
    const label = routes.label(url, route)
    const c0 = inCpuAt0[slot]
    if (c0 >= 0) requestFinish(slot, now, label, c0, inHeapAt0[slot], loopBusyUs(), v8.getHeapStatistics().used_heap_size)
    else requestFinish(slot, now, label, -1, 0, 0, 0)
  }

  /** cpuUs0 < 0: not measured. */
  function requestFinish(slot: number, now: number, label: string, cpuUs0: number, heap0: number, cpuUs1: number, heap1: number): void {
    advance(now)
    unlink(slot)
    if (pLen === PENDING_SLOTS) { pHead = (pHead + 1) % PENDING_SLOTS; pLen--; dropped++ }
    const k = (pHead + pLen++) % PENDING_SLOTS
    const start = inStart[slot]
    pStart[k] = start; pEnd[k] = now; pGcNs[k] = inGcNs[slot]; pFreed[k] = inFreed[slot]
    if (cpuUs0 >= 0) {
      const wall = now - start
      const share = wall > 0 ? Math.min(1, (wallSum - inWallAt0[slot]) / wall) : 1
      pCpuNs[k] = (cpuUs1 - cpuUs0) * share * 1000
      pHeap[k] = (heap1 - heap0) * share
    } else pCpuNs[k] = -1
    pRoute[k] = costOf(label)
  }

  function onHttp(e: HttpEvent): void {
    if (e.side !== 'server') return
    // The emitter's own clock reads (same process.hrtime clock): no extra read per event.
    if (e.phase === 'request') requestStart(e.requestId, e.startNs, true)
    else eventFinish(e.requestId, e.startNs + (e.durationNs ?? 0), e.url, e.route)
  }

  // Replay of httpServerLog from `cursor` (entries the hook wrote since the last drain).
  let cursor = 0
  function drainLog(): void {
    const seq = log.seq, size = log.size, mask = size - 1
    let i = cursor
    if (seq - i > size) { dropped += seq - i - size; i = seq - size }  // only while this collector was off
    const kind = log.kind, ids = log.id, ns = log.ns, cpu0 = log.cpuUs0
    for (; i < seq; i++) {
      const k = i & mask
      if (kind[k] === HTTP_LOG_START) { requestStart(ids[k], ns[k], false); continue }
      const id = ids[k], slot = id & (IN_SLOTS - 1)
      if (inId[slot] !== id) continue
      requestFinish(slot, ns[k], routes.logged(log, k), cpu0[k], log.heap0[k], log.cpuUs1[k], log.heap1[k])
    }
    cursor = seq
  }
  const logReader = (): void => {
    if (!guard.on) return
    try { drainLog() } catch (err) { guard.fault(err) }
  }

  function onGc(e: GcEvent): void {
    if (e.threadId !== threadId) return
    drainLog()  // requests the hook logged before this GC event was delivered
    const g = e.startNs
    // Pending requests in finish order: only those that finished after g can contain it.
    let hits = 0, from = pLen
    while (from > 0 && pEnd[(pHead + from - 1) % PENDING_SLOTS] >= g) from--
    for (let i = from; i < pLen; i++) if (pStart[(pHead + i) % PENDING_SLOTS] <= g) hits++
    for (let i = 0; i < liveN; i++) if (inStart[live[i]] <= g) hits++
    if (hits === 0) return
    const freedShare = Math.max(0, e.usedBeforeBytes - e.usedAfterBytes) / hits
    for (let i = from; i < pLen; i++) {
      const k = (pHead + i) % PENDING_SLOTS
      if (pStart[k] <= g) { pGcNs[k] += e.durationNs; pFreed[k] += freedShare }
    }
    for (let i = 0; i < liveN; i++) {
      const s = live[i]
      if (inStart[s] <= g) { inGcNs[s] += e.durationNs; inFreed[s] += freedShare }
    }
  }

  function finalize(all: boolean): void {
    drainLog()
    const cutoff = Number(process.hrtime.bigint()) - graceNs
    while (pLen > 0 && (all || pEnd[pHead] <= cutoff)) {
      const k = pHead
      pHead = (pHead + 1) % PENDING_SLOTS; pLen--
      const c = pRoute[k]!
      c.count++
      c.gc.record(pGcNs[k])
      if (pCpuNs[k] >= 0) {
        c.measured++
        c.cpu.record(pCpuNs[k])
        c.allocated.record(Math.max(0, pHeap[k] + pFreed[k]))
      }
    }
  }

  // Per request, so guarded inline (guard.wrap's generic wrapper goes through `arguments`).
  const httpListener = (e: HttpEvent): void => {
    if (!guard.on) return
    try { onHttp(e) } catch (err) { guard.fault(err) }
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
      lastNs = Number(process.hrtime.bigint())
      bucket = new TokenBucket()
      cursor = log.seq
      log.measuredPerSec = rate
      unsubs = [log.subscribe(logReader), httpEvents.subscribePassive(httpListener), gcEvents.subscribe(guard.wrap(onGc)), () => { log.measuredPerSec = 0 }]
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
