// Message channels (rate, p50/p99/max latency, in flight) and per-request cost by route
// (CPU, allocated bytes, GC time and GC share of the request's CPU, each route's share of the
// thread's CPU and GC CPU and the unattributed rest).
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

/**
 * Per-request cost by async context: CPU, GC CPU and heap allocation of each request's own
 * callbacks (waiting costs nothing), per measured request. The share columns divide each route's
 * CPU and GC CPU (measured requests scaled to all of them) by the main thread's since the collector
 * started; the last row is what no route accounts for, so each share column adds up to 100 %.
 */
export function drawCost(table: HTMLTableElement, snap: LiveSnapshot | undefined): void {
  const cost = snap?.requestCost
  const routes = [...(cost?.routes ?? [])].filter((r) => !OWN.test(r.route)).sort((a, b) => b.count - a.count)
  const lat = new Map<string, number>()
  for (const s of snap?.http?.series ?? []) lat.set(s.route, Math.max(lat.get(s.route) ?? 0, s.latencyNs.p99))
  const rows = routes.map((r) => [r.route, String(r.count), ns(r.cpuNs.mean), bytes(r.allocatedBytes.mean), ns(r.gcNs.mean), lat.has(r.route) ? ns(lat.get(r.route)!) : '–', pct(r.gcShareOfCpu), pct(r.cpuShare), pct(r.gcShare)])
  const bars = routes.map((r) => r.cpuShare)
  const t = cost?.totals
  if (t && routes.length > 0) {
    // The dashboard's own routes are left out of the rows, so their share goes to the rest too.
    const cpuRest = 1 - routes.reduce((a, r) => a + r.cpuShare, 0), gcRest = 1 - routes.reduce((a, r) => a + r.gcShare, 0)
    rows.push(['unattributed (no request\'s code)', '', '', '', '', '', '', pct(Math.max(0, cpuRest)), pct(Math.max(0, gcRest))])
    bars.push(Math.max(0, cpuRest))
  }
  // The share-of-CPU bar has a column of its own, so it never covers a number.
  for (const r of rows) r.push('')
  fillTable(table, ['route', 'requests', 'CPU / req', 'allocated / req', 'GC / req', 'p99 latency', 'GC share of CPU', 'share of CPU', 'share of GC', 'share of CPU (bar)'],
    rows, (i) => bars[i], cost ? 'no requests to this app yet (the dashboard\'s own are not shown)' : 'request-cost collector off')
}
