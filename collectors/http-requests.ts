// HTTP server collector: request latency by method, route and status (route from express when
// the hook knows it, else a bounded path template, see route-template.ts), from httpEvents
// 'response' events of the server side. Series are capped (maxRoutes labels, then "other").
// The HTTP hook does not send events to this collector: it appends each finished server
// request to httpServerLog, read here in batches (before each heatmap rotation, before a
// snapshot, and when the hook has filled a quarter of the log); httpEvents from other emitters
// are still recorded one by one.
import { httpEvents, httpServerLog, HTTP_LOG_FINISH, HttpEvent } from '../runtime/runtime-events'
import { Histogram, HistogramSnapshot, createTimeHistogram, summarize } from './histogram'
import { SeriesRing, SeriesSnapshot } from './series-ring'
import { RouteTable } from './route-template'
import { guardedInterval } from './collector-guard'
import { collectorLifecycle } from './collector'

const log = httpServerLog  // a local: one load fewer per access than the module binding

export interface HttpSeries { method: string; route: string; status: string; latency: Histogram }

export interface HttpSnapshot {
  series: { method: string; route: string; status: string; latencyNs: ReturnType<typeof summarize>; histogram: HistogramSnapshot }[]
  droppedRoutes: number
  heatmap: SeriesSnapshot
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'CONNECT', 'TRACE'])

export function createHttpCollector(opts: { maxRoutes?: number; intervalMs?: number; seriesSlots?: number; routes?: RouteTable } = {}) {
  const intervalMs = opts.intervalMs ?? 1000
  const routes = opts.routes ?? new RouteTable(opts.maxRoutes ?? 100)
  const maxSeries = (opts.maxRoutes ?? 100) * 8
  const life = collectorLifecycle('http', (hold) => {
    cursor = log.seq
    hold(log.subscribe(logReader))
    hold(httpEvents.subscribePassive(listener))
    hold(guardedInterval(guard, intervalMs, () => { drainLog(); ring.rotate() }))
  })
  const guard = life.guard
  const series = new Map<string, HttpSeries>()
  const ring = new SeriesRing({ slots: opts.seriesSlots ?? 60, intervalMs })

  // Most responses repeat the previous series: compare the three fields before building a key.
  let last: HttpSeries | undefined, lastRoute = '', lastMethod = '', lastStatus = -1

  function onEvent(e: HttpEvent): void {
    if (e.side !== 'server' || e.phase !== 'response' || e.durationNs === undefined) return
    record(e.method, routes.label(e.url, e.route), e.status ?? 0, e.durationNs)
  }

  function record(method: string, route: string, code: number, durationNs: number): void {
    let s: HttpSeries | undefined
    if (last !== undefined && route === lastRoute && method === lastMethod && code === lastStatus) s = last
    else s = lookup(method, route, code)
    s.latency.record(durationNs)
    ring.current.record(durationNs)
  }

  // Finished requests the hook logged since the last drain.
  let cursor = 0
  function drainLog(): void {
    const seq = log.seq, size = log.size, mask = size - 1
    let i = cursor
    if (seq - i > size) i = seq - size  // only while this collector was off
    const kind = log.kind
    for (; i < seq; i++) {
      const k = i & mask
      if (kind[k] !== HTTP_LOG_FINISH) continue
      record(log.method[k] ?? '', routes.logged(log, k), log.status[k], log.ns[k] - log.startNs[k])
    }
    cursor = seq
  }
  const logReader = (): void => {
    if (!guard.on) return
    try { drainLog() } catch (err) { guard.fault(err) }
  }

  function lookup(rawMethod: string, route: string, code: number): HttpSeries {
    const method = METHODS.has(rawMethod) ? rawMethod : 'OTHER'
    const status = String(code)
    let key = method + ' ' + route + ' ' + status
    let s = series.get(key)
    lastRoute = route; lastMethod = rawMethod; lastStatus = code
    if (s === undefined) {
      if (series.size >= maxSeries) { route = 'other'; key = method + ' other ' + status; s = series.get(key) }
      if (s === undefined) { s = { method, route, status, latency: createTimeHistogram() }; series.set(key, s) }
    }
    last = s
    return s
  }

  // Per request, so guarded inline (guard.wrap's generic wrapper goes through `arguments`).
  const listener = (e: HttpEvent): void => {
    if (!guard.on) return
    try { onEvent(e) } catch (err) { guard.fault(err) }
  }

  const collector = {
    name: 'http' as const,
    guard,
    /** The series, with what the hook logged so far recorded (prometheus.ts reads this). */
    get series() { if (life.running) logReader(); return series },
    get running() { return life.running },
    start: life.start,
    stop: life.stop,
    record: guard.wrap(onEvent),
    snapshot(): HttpSnapshot {
      if (life.running) logReader()
      return {
        series: [...series.values()].map((s) => ({ method: s.method, route: s.route, status: s.status, latencyNs: summarize(s.latency), histogram: s.latency.snapshot() })),
        droppedRoutes: routes.dropped,
        heatmap: ring.snapshot(),
      }
    },
  }
  return collector
}

export type HttpCollector = ReturnType<typeof createHttpCollector>
