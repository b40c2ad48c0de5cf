// Per-request cost by route: the CPU time, GC time and V8 heap allocation of each measured
// request's own code, as runtime/request-context.ts attributes them by async context (its header
// says exactly what each figure contains and its error). A request that only waits costs
// nothing; concurrent requests do not share each other's work.
// - Measured requests: attribution reads a clock at every boundary of the request's callbacks,
//   so CPU, GC and allocation are measured for at most `measuredPerSec` requests per second
//   (token bucket, default 200: every request of a server below that rate, a time-uniform sample
//   above it); `count` is every request, `measured` the ones behind the histograms.
// - Totals: the main thread's CPU time and the main-thread CPU of GC pauses since the collector
//   started, read from the same clock. A route's share of them is its measured sum scaled to all
//   its requests (× count / measured). A route's GC is the GCs that started in its requests' code
//   plus their pro-rata share (by bytes allocated since the previous GC, runtime/loose-gc.ts) of
//   the GCs that started between callbacks; what no route explains is reported as unattributed
//   (Node's work outside request callbacks, timers and other non-request code, GCs that started
//   in other code, the share of loose GCs other code's allocation caused), so the shares and the
//   rest add up to the totals.
// - Feed: the HTTP hook appends each server request's finish to httpServerLog (runtime-events.ts)
//   with the measured ones' figures; this collector replays the log in batches (its 1 s tick,
//   before a snapshot, and whenever the hook has filled a quarter of the log). httpEvents emitted by others (tests, other servers) are measured here
//   with the same attribution, begun at their request event and ended at their response event.
import { TokenBucket } from '../runtime/measure-budget'
import { httpEvents, httpServerLog, HTTP_LOG_START, HTTP_LOG_GC, HttpEvent } from '../runtime/runtime-events'
import { costBegin, costEnd, costOut, costCells, costSettle, threadCpuNs, COST_GC_CPU_NS } from '../runtime/request-context'
import { Histogram, HistogramSnapshot, createTimeHistogram, createBytesHistogram, summarize } from './histogram'
import { RouteTable } from './route-template'
import { guardedInterval } from './collector-guard'
import { collectorLifecycle } from './collector'

const log = httpServerLog  // a local: one load fewer per access than the module binding

export interface RouteCost {
  route: string; count: number; measured: number; cpu: Histogram; gc: Histogram; allocated: Histogram
  /** The measured requests' pro-rata share of GCs that started between callbacks (not in `gc`), ns. */
  looseGcNs: number
}

export interface RequestCostSnapshot {
  routes: {
    route: string
    /** Requests finished. */
    count: number
    /** Requests measured (the cpu, gc and allocated histograms). */
    measured: number
    cpuNs: ReturnType<typeof summarize>; gcNs: ReturnType<typeof summarize>; allocatedBytes: ReturnType<typeof summarize>
    /** GC CPU / CPU summed over the measured requests (GC time is part of the request's CPU: ≤ 1). */
    gcShareOfCpu: number
    /** This route's CPU (measured sum × count / measured) / the thread's CPU since the collector started. */
    cpuShare: number
    /** The measured requests' share of GCs that started between callbacks, pro rata of their allocation, ns (cumulative). */
    looseGcNs: number
    /** The same for GC CPU: this route's GC CPU (its requests' GCs and pro-rata share, scaled) / all main-thread GC CPU since the collector started. */
    gcShare: number
    histograms: { cpu: HistogramSnapshot; gc: HistogramSnapshot; allocated: HistogramSnapshot }
  }[]
  /** Main-thread CPU and GC CPU since the collector started, and the parts no route accounts for. */
  totals: { cpuNs: number; gcNs: number; unattributedCpuNs: number; unattributedGcNs: number }
  dropped: number
}

export function createRequestCostCollector(opts: { maxRoutes?: number; routes?: RouteTable; measuredPerSec?: number } = {}) {
  const rate = opts.measuredPerSec ?? 200
  const routes = opts.routes ?? new RouteTable(opts.maxRoutes ?? 100)
  const life = collectorLifecycle('request-cost', (hold) => {
    bucket = new TokenBucket()
    cursor = log.seq
    cpuAtStart = threadCpuNs(); gcAtStart = costCells[COST_GC_CPU_NS]
    log.measuredPerSec = rate
    hold(log.subscribe(logReader))
    hold(httpEvents.subscribePassive(httpListener))
    hold(() => { log.measuredPerSec = 0 })
    hold(guardedInterval(guard, 1000, drainLog))
  })
  const guard = life.guard
  const byRoute = new Map<string, RouteCost>()
  let lastLabel = '', lastCost: RouteCost | undefined
  let bucket = new TokenBucket()
  let dropped = 0, cpuAtStart = 0, gcAtStart = 0

  function costOf(label: string): RouteCost {
    if (label === lastLabel && lastCost !== undefined) return lastCost
    let c = byRoute.get(label)
    if (c === undefined) { c = { route: label, count: 0, measured: 0, cpu: createTimeHistogram(), gc: createTimeHistogram(), allocated: createBytesHistogram(), looseGcNs: 0 }; byRoute.set(label, c) }
    lastLabel = label; lastCost = c
    return c
  }

  function record(c: RouteCost, cpuNs: number, gcNs: number, allocBytes: number, looseGcNs: number): void {
    c.measured++
    c.cpu.record(cpuNs); c.gc.record(gcNs); c.allocated.record(allocBytes)
    c.looseGcNs += looseGcNs
  }

  function onHttp(e: HttpEvent): void {
    if (e.side !== 'server' || !(e.requestId >= 0)) return  // ids are non-negative (the hook counts from 1)
    if (e.phase === 'request') {
      if (bucket.take(e.startNs, rate)) costBegin(e.requestId)
      return
    }
    const c = costOf(routes.label(e.url, e.route))
    c.count++
    if (costEnd(e.requestId)) record(c, costOut.cpuNs, costOut.gcNs, costOut.allocBytes, costOut.looseGcNs)
  }

  /** A finished request's share of a later GC: to the route of its finish entry, while the ring still holds it. */
  function lateGc(k: number, i: number, mask: number): void {
    const ref = log.startNs[k], r = ref & mask
    if (i - ref >= log.size || log.id[r] !== log.id[k]) return
    costOf(routes.logged(log, r)).looseGcNs += log.gcNs[k]
  }

  // Replay of httpServerLog from `cursor` (entries the hook wrote since the last drain).
  let cursor = 0
  function drainLog(): void {
    costSettle()  // the GCs since the last boundary, split now (a finished request's share is a log entry)
    const seq = log.seq, size = log.size, mask = size - 1
    let i = cursor
    if (seq - i > size) { dropped += seq - i - size; i = seq - size }  // only while this collector was off
    const kind = log.kind, cpu = log.cpuNs
    for (; i < seq; i++) {
      const k = i & mask
      if (kind[k] === HTTP_LOG_START) continue  // the hook measures from there; the finish carries the figures
      if (kind[k] === HTTP_LOG_GC) { lateGc(k, i, mask); continue }
      const c = costOf(routes.logged(log, k))
      c.count++
      if (cpu[k] >= 0) record(c, cpu[k], log.gcNs[k], log.allocBytes[k], log.looseGcNs[k])
    }
    cursor = seq
  }
  const logReader = (): void => {
    if (!guard.on) return
    try { drainLog() } catch (err) { guard.fault(err) }
  }

  // Per request, so guarded inline (guard.wrap's generic wrapper goes through `arguments`).
  const httpListener = (e: HttpEvent): void => {
    if (!guard.on) return
    try { onHttp(e) } catch (err) { guard.fault(err) }
  }

  function snapshot(): RequestCostSnapshot {
    const cpuNs = threadCpuNs() - cpuAtStart, gcNs = costCells[COST_GC_CPU_NS] - gcAtStart
    let cpuRoutes = 0, gcRoutes = 0
    const rows = [...byRoute.values()].map((c) => {
      const scale = c.measured > 0 ? c.count / c.measured : 0
      cpuRoutes += c.cpu.sum * scale; gcRoutes += (c.gc.sum + c.looseGcNs) * scale
      return {
        route: c.route, count: c.count, measured: c.measured,
        cpuNs: summarize(c.cpu), gcNs: summarize(c.gc), allocatedBytes: summarize(c.allocated),
        gcShareOfCpu: c.cpu.sum > 0 ? Math.min(1, c.gc.sum / c.cpu.sum) : 0,
        cpuShare: cpuNs > 0 ? Math.min(1, (c.cpu.sum * scale) / cpuNs) : 0,
        looseGcNs: c.looseGcNs,
        gcShare: gcNs > 0 ? Math.min(1, ((c.gc.sum + c.looseGcNs) * scale) / gcNs) : 0,
        histograms: { cpu: c.cpu.snapshot(), gc: c.gc.snapshot(), allocated: c.allocated.snapshot() },
      }
    })
    return {
      routes: rows,
      totals: { cpuNs, gcNs, unattributedCpuNs: Math.max(0, cpuNs - cpuRoutes), unattributedGcNs: Math.max(0, gcNs - gcRoutes) },
      dropped,
    }
  }

  const collector = {
    name: 'request-cost' as const,
    guard,
    byRoute,
    get running() { return life.running },
    start: life.start,
    stop: life.stop,
    recordHttp: guard.wrap(onHttp),
    /** Count the finished requests the hook has logged so far. */
    flush: guard.wrap((_all?: boolean) => drainLog()),
    snapshot,
  }
  return collector
}

export type RequestCostCollector = ReturnType<typeof createRequestCostCollector>
