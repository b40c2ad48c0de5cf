// Per-request cost by route: CPU time, GC time that overlapped the request, bytes allocated.
//
// Attribution (one thread runs many requests at once, so plain start→finish deltas would charge
// each request for its neighbours' work):
// - Share: at every request start/finish a running "wall time per in-flight request" sum is
//   advanced from process.hrtime (cheap); a request's share = that sum's growth while it ran
//   divided by its wall time (1 when it ran alone, 1/n while n ran together). For the requests
//   the HTTP hook logs, the hook keeps the sum (it sees every start and finish) and logs the
//   share of each measured request.
// - CPU: the main thread's event-loop busy time (performance.eventLoopUtilization().active:
//   wall time not spent waiting in the poll phase) at start and finish × share. Busy time is the
//   thread's CPU time except while it blocks in a synchronous call or the OS preempts it; it is
//   read from the loop's own counters (~50 ns), counts only this thread (not GC helper or worker
//   threads, unlike process.cpuUsage()), and contains the request's GC pauses, so GC time /
//   CPU time is a share of the same clock. process.cpuUsage() (getrusage over every thread) was
//   the first choice and cost ~75 µs per measured request on a loaded 2-vCPU host (bench).
//   Exact for sequential requests; under concurrency an even split.
// - Allocated bytes: (V8's used-heap delta between start and finish + the bytes freed by every
//   GC that started inside the request) × share: freed memory was allocated before it was freed,
//   and like the heap growth it is split evenly among the requests in flight. GC events may
//   arrive late (the native ring is drained asynchronously), so measured requests wait
//   `graceMs` after their finish before they are counted.
//   Limits: external memory (Buffers) is not V8 heap; allocations by timers or other non-request
//   work during a request are charged to the requests in flight.
// - Measured requests: the clock and heap reads cost ~1 µs per request, so CPU and allocation
//   are measured for at most `measuredPerSec` requests per second (token bucket, default 200:
//   every request of a server below that rate, a time-uniform sample above it); `count` is every
//   request, `measured` the ones behind the CPU, GC and allocation histograms (GC time per
//   request is a histogram of the same sample, so GC/CPU compares like with like).
// - Feed: the HTTP hook appends each server request's finish to httpServerLog
//   (runtime-events.ts), and the start of the requests it measured, with their busy-time and
//   heap reads and share; this collector replays the log in order in batches (its 100 ms timer,
//   before a GC event is attributed, before a flush). A request not measured costs it one label
//   lookup and a count. httpEvents emitted by others (tests) are handled one by one, with the
//   share computed here from their starts and finishes.
// - Storage: no object per request. Measured requests in flight (and every request of the
//   httpEvents path) live in typed-array slots indexed by request id (a dense list of occupied
//   slots for the per-GC scan); measured finished ones wait out the grace period in a ring in
//   finish order (a GC only scans the finished requests that ended after it started, newest
//   first). A request whose finish never comes (client aborted: Node publishes no
//   response.finish) keeps its slot until a request with a colliding id evicts it (counted in
//   `dropped`); at most IN_SLOTS in flight and PENDING_SLOTS waiting (oldest dropped).
// - GC time: every GC pause whose start lies inside [start, finish] counts fully for the
//   request: a pause stops every request in flight, so this is the latency GC added to it.
import v8 from 'node:v8'
import { TokenBucket, loopBusyUs } from '../runtime/measure-budget'
import { threadId } from 'node:worker_threads'
import { httpEvents, gcEvents, httpServerLog, HTTP_LOG_START, HttpEvent, GcEvent } from '../runtime/runtime-events'
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
    /** Requests measured (the cpu, gc and allocated histograms). */
    measured: number
    cpuNs: ReturnType<typeof summarize>; gcNs: ReturnType<typeof summarize>; allocatedBytes: ReturnType<typeof summarize>
    /** Mean GC time / mean CPU time, per measured request. */
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
  // In flight, by slot = requestId & (IN_SLOTS - 1). inCpuAt0 is -1 for a request of the
  // httpEvents path not measured, -2 for a measured request of the log (the hook has its reads).
  const inId = new Float64Array(IN_SLOTS).fill(-1)
  const inStart = new Float64Array(IN_SLOTS), inWallAt0 = new Float64Array(IN_SLOTS)
  const inCpuAt0 = new Float64Array(IN_SLOTS), inHeapAt0 = new Float64Array(IN_SLOTS)
  const inGcNs = new Float64Array(IN_SLOTS), inFreed = new Float64Array(IN_SLOTS)
  const live = new Int32Array(IN_SLOTS), livePos = new Int32Array(IN_SLOTS)
  let liveN = 0
  // Measured and finished, waiting `graceMs` for late GC events: a ring in finish order.
  const pStart = new Float64Array(PENDING_SLOTS), pEnd = new Float64Array(PENDING_SLOTS)
  const pCpuNs = new Float64Array(PENDING_SLOTS), pHeap = new Float64Array(PENDING_SLOTS), pShare = new Float64Array(PENDING_SLOTS)
  const pGcNs = new Float64Array(PENDING_SLOTS), pFreed = new Float64Array(PENDING_SLOTS)
  const pRoute: (RouteCost | undefined)[] = new Array(PENDING_SLOTS).fill(undefined)
  let pHead = 0, pLen = 0
  const byRoute = new Map<string, RouteCost>()
  let lastLabel = '', lastCost: RouteCost | undefined
  // The httpEvents path's share: its requests in flight and the wall-per-request sum.
  let evInflight = 0, wallSum = 0, lastNs = 0, dropped = 0
  let bucket = new TokenBucket()
  let unsubs: (() => void)[] = [], stopTimer: (() => void) | undefined
  let running = false

  /** Advance the httpEvents path's wall-per-in-flight sum to `now` (before its in-flight set changes). */
  function advance(now: number): void {
    if (evInflight > 0) wallSum += (now - lastNs) / evInflight
    lastNs = now
  }

  function unlink(slot: number): void {
    if (inCpuAt0[slot] !== -2) evInflight--
    const at = livePos[slot], moved = live[--liveN]
    live[at] = moved
    livePos[moved] = at
    inId[slot] = -1
  }

  /** Puts a request in flight in `slot` (evicting one whose finish never came). */
  function link(slot: number, id: number, now: number): void {
    if (inId[slot] >= 0) { unlink(slot); dropped++ }  // a request that never finished (or an id collision)
    inId[slot] = id
    live[liveN] = slot; livePos[slot] = liveN++
    inStart[slot] = now; inGcNs[slot] = 0; inFreed[slot] = 0
  }

  function costOf(label: string): RouteCost {
    if (label === lastLabel && lastCost !== undefined) return lastCost
    let c = byRoute.get(label)
    if (c === undefined) { c = { route: label, count: 0, measured: 0, cpu: createTimeHistogram(), gc: createTimeHistogram(), allocated: createBytesHistogram() }; byRoute.set(label, c) }
    lastLabel = label; lastCost = c
    return c
  }

  /** A start from httpEvents: every one is in flight (for the share), measured within the budget. */
  function eventStart(id: number, now: number): void {
    if (!(id >= 0)) return  // ids are non-negative (the hook counts from 1); anything else is not ours
    advance(now)
    const slot = id & (IN_SLOTS - 1)
    link(slot, id, now)
    evInflight++
    inWallAt0[slot] = wallSum
    if (bucket.take(now, rate)) { inCpuAt0[slot] = loopBusyUs(); inHeapAt0[slot] = v8.getHeapStatistics().used_heap_size }
    else inCpuAt0[slot] = -1
  }

  /** A finish from httpEvents: reads busy time and heap now for a measured request. */
  function eventFinish(id: number, now: number, url: string, route: string | undefined): void {
    const slot = id & (IN_SLOTS - 1)
    if (inId[slot] !== id) return
    const label = routes.label(url, route)
    advance(now)
    const c0 = inCpuAt0[slot]
    if (c0 < 0) { unlink(slot); costOf(label).count++; return }
    const wall = now - inStart[slot]
    const share = wall > 0 ? Math.min(1, (wallSum - inWallAt0[slot]) / wall) : 1
    measuredFinish(slot, now, label, loopBusyUs() - c0, v8.getHeapStatistics().used_heap_size - inHeapAt0[slot], share)
  }

  /** A measured request finished: busy time (µs) and heap growth over its life, its share; waits for late GCs. */
  function measuredFinish(slot: number, now: number, label: string, busyUs: number, heapGrowth: number, share: number): void {
    if (pLen === PENDING_SLOTS) { pHead = (pHead + 1) % PENDING_SLOTS; pLen--; dropped++ }
    const k = (pHead + pLen++) % PENDING_SLOTS
    pStart[k] = inStart[slot]; pEnd[k] = now; pGcNs[k] = inGcNs[slot]; pFreed[k] = inFreed[slot]
    pCpuNs[k] = busyUs * share * 1000
    pHeap[k] = heapGrowth; pShare[k] = share
    pRoute[k] = costOf(label)
    unlink(slot)
  }

  function onHttp(e: HttpEvent): void {
    if (e.side !== 'server') return
    // The emitter's own clock reads (same process.hrtime clock): no extra read per event.
    if (e.phase === 'request') eventStart(e.requestId, e.startNs)
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
      if (kind[k] === HTTP_LOG_START) {  // a measured request (the hook has its reads)
        const id = ids[k]
        link(id & (IN_SLOTS - 1), id, ns[k])
        inCpuAt0[id & (IN_SLOTS - 1)] = -2
        continue
      }
      const label = routes.logged(log, k)
      const id = ids[k], slot = id & (IN_SLOTS - 1)
      if (cpu0[k] < 0 || inId[slot] !== id) { costOf(label).count++; continue }  // not measured (or its start predates this collector)
      measuredFinish(slot, ns[k], label, log.cpuUs1[k] - cpu0[k], log.heap1[k] - log.heap0[k], log.share[k])
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
    const freed = Math.max(0, e.usedBeforeBytes - e.usedAfterBytes)
    // Pending requests in finish order: only those that finished after g can contain it.
    let from = pLen
    while (from > 0 && pEnd[(pHead + from - 1) % PENDING_SLOTS] >= g) from--
    for (let i = from; i < pLen; i++) {
      const k = (pHead + i) % PENDING_SLOTS
      if (pStart[k] <= g) { pGcNs[k] += e.durationNs; pFreed[k] += freed }
    }
    for (let i = 0; i < liveN; i++) {
      const s = live[i]
      if (inStart[s] <= g) { inGcNs[s] += e.durationNs; inFreed[s] += freed }
    }
  }

  function finalize(all: boolean): void {
    drainLog()
    const cutoff = Number(process.hrtime.bigint()) - graceNs
    while (pLen > 0 && (all || pEnd[pHead] <= cutoff)) {
      const k = pHead
      pHead = (pHead + 1) % PENDING_SLOTS; pLen--
      const c = pRoute[k]!
      c.count++; c.measured++
      c.cpu.record(pCpuNs[k])
      c.gc.record(pGcNs[k])
      c.allocated.record(Math.max(0, (pHeap[k] + pFreed[k]) * pShare[k]))
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
      lastNs = Number(process.hrtime.bigint()); evInflight = 0
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
