// HTTP server collector: request latency by method, route and status (route from express when
// the hook knows it, else a bounded path template, see route-template.ts), from httpEvents
// 'response' events of the server side. Series are capped (maxRoutes labels, then "other").
import { httpEvents, HttpEvent } from '../probes/runtime-events'
import { Histogram, HistogramSnapshot, createTimeHistogram, summarize } from './histogram'
import { SeriesRing, SeriesSnapshot } from './series-ring'
import { RouteTable } from './route-template'
import { createCollectorGuard, guardedInterval } from './collector-guard'

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
  const guard = createCollectorGuard('http')
  const series = new Map<string, HttpSeries>()
  const ring = new SeriesRing({ slots: opts.seriesSlots ?? 60, intervalMs })
  let unsubscribe: (() => void) | undefined, stopTimer: (() => void) | undefined
  let running = false

  // Most responses repeat the previous series: compare the three fields before building a key.
  let last: HttpSeries | undefined, lastRoute = '', lastMethod = '', lastStatus = -1

  function onEvent(e: HttpEvent): void {
    if (e.side !== 'server' || e.phase !== 'response' || e.durationNs === undefined) return
    const route = routes.label(e.url, e.route)
    const code = e.status ?? 0
    let s: HttpSeries | undefined
    if (last !== undefined && route === lastRoute && e.method === lastMethod && code === lastStatus) s = last
    else s = lookup(e.method, route, code)
    s.latency.record(e.durationNs)
    ring.current.record(e.durationNs)
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
    series,
    get running() { return running },
    start(): void {
      if (running) return
      running = true
      guard.rearm()
      unsubscribe = httpEvents.subscribe(listener)
      stopTimer = guardedInterval(guard, intervalMs, () => ring.rotate())
    },
    stop(): void {
      running = false
      unsubscribe?.(); unsubscribe = undefined
      stopTimer?.(); stopTimer = undefined
    },
    record: guard.wrap(onEvent),
    snapshot(): HttpSnapshot {
      return {
        series: [...series.values()].map((s) => ({ method: s.method, route: s.route, status: s.status, latencyNs: summarize(s.latency), histogram: s.latency.snapshot() })),
        droppedRoutes: routes.dropped,
        heatmap: ring.snapshot(),
      }
    },
  }
  guard.onTrip(collector.stop)
  return collector
}

export type HttpCollector = ReturnType<typeof createHttpCollector>
