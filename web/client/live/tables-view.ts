// Message channels (rate, p50/p99/max latency, in flight) and per-request cost by route
// (CPU, allocated bytes, GC time and GC share of the request's CPU).
import type { LiveSnapshot } from '../../shared/wire'
import { bytes, ns, pct, rate } from '../format'
import { fillTable } from './gc-view'

export function drawMessages(table: HTMLTableElement, snap: LiveSnapshot | undefined): void {
  const ch = [...(snap?.messages?.channels ?? [])].sort((a, b) => b.received - a.received)
  fillTable(table, ['channel', 'direction', 'rate', 'p50', 'p99', 'max', 'in flight', 'received'],
    ch.map((c) => [c.channel, c.direction, rate(c.ratePerSec), ns(c.latencyNs.p50), ns(c.latencyNs.p99), ns(c.latencyNs.max), String(c.inFlight), String(c.received)]),
    undefined, snap?.messages ? 'no worker or IPC messages yet' : 'message collector off')
}

// The dashboard's own routes, when it is served from the observed process (the http hook sees
// every server of the process; there is no per-server opt-out yet).
const OWN = /^\/(api\/(status|snapshot|stream|processes|record|profiles|proc|bpftrace)\b|metrics$|app\.(js|css)$|favicon\.svg$)/

export function drawCost(table: HTMLTableElement, snap: LiveSnapshot | undefined): void {
  const routes = [...(snap?.requestCost?.routes ?? [])].filter((r) => !OWN.test(r.route)).sort((a, b) => b.count - a.count)
  const lat = new Map<string, number>()
  for (const s of snap?.http?.series ?? []) lat.set(s.route, Math.max(lat.get(s.route) ?? 0, s.latencyNs.p99))
  fillTable(table, ['route', 'requests', 'CPU / req', 'allocated / req', 'GC / req', 'p99 latency', 'GC share of CPU'],
    routes.map((r) => [r.route, String(r.count), ns(r.cpuNs.mean), bytes(r.allocatedBytes.mean), ns(r.gcNs.mean), lat.has(r.route) ? ns(lat.get(r.route)!) : '–', pct(r.gcShareOfCpu)]),
    (i) => routes[i].gcShareOfCpu, snap?.requestCost ? 'no requests to this app yet (the dashboard\'s own are not shown)' : 'request-cost collector off')
}
