// The page's copy of the live data: the last snapshot, heatmap columns merged by interval
// start (the stream sends the intervals that may have changed since its previous tick; a
// backfill sends the whole ring), a bounded list of recent GCs and a bounded utilization history.
// Per-route HTTP heatmap columns are the differences of each route's cumulative latency histogram
// from one tick to the next (the collector keeps one ring for all routes): they start when the
// page opens.
import type { LiveSnapshot } from '../../shared/wire'
import type { SeriesSnapshot } from '../../../collectors/series-ring'

export type HeatPoint = SeriesSnapshot['points'][number]
export type GcEvent = NonNullable<LiveSnapshot['gc']>['recent'][number]

const MAX_COLUMNS = 60
const MAX_GC = 600
const MAX_ELU = 60
const MAX_ROUTES = 32

/** A route's cumulative bucket counts (all methods and statuses summed). */
function cumulative(s: LiveSnapshot): Map<string, Map<number, number>> {
  const out = new Map<string, Map<number, number>>()
  for (const x of s.http?.series ?? []) {
    let m = out.get(x.route)
    if (!m) { if (out.size >= MAX_ROUTES) continue; out.set(x.route, m = new Map()) }
    for (const [b, c] of x.histogram.buckets) m.set(b, (m.get(b) ?? 0) + c)
  }
  return out
}

class Columns {
  private readonly byStart = new Map<number, HeatPoint>()
  replace(s: SeriesSnapshot | undefined): void { this.byStart.clear(); this.merge(s) }
  merge(s: SeriesSnapshot | undefined): void {
    if (!s) return
    for (const p of s.points) this.byStart.set(p.startMs, p)
    if (this.byStart.size > MAX_COLUMNS) {
      const keys = [...this.byStart.keys()].sort((a, b) => a - b)
      for (const k of keys.slice(0, keys.length - MAX_COLUMNS)) this.byStart.delete(k)
    }
  }
  points(): HeatPoint[] { return [...this.byStart.values()].sort((a, b) => a.startMs - b.startMs) }
}

export class LiveStore {
  snap: LiveSnapshot | undefined
  readonly http = new Columns()
  readonly msg = new Columns()
  readonly loop = new Columns()
  gc: GcEvent[] = []
  elu: { t: number; v: number }[] = []
  ticks = 0
  readonly routes = new Map<string, Columns>()
  private routeTotals = new Map<string, Map<number, number>>()

  /** Routes with a column, most requests first. */
  routeNames(): string[] { return [...this.routes.keys()].sort() }

  private pushRoutes(s: LiveSnapshot, columns: boolean): void {
    const now = cumulative(s)
    if (columns) {
      for (const [route, m] of now) {
        const before = this.routeTotals.get(route)
        const buckets: [number, number][] = []
        for (const [b, c] of m) { const d = c - (before?.get(b) ?? 0); if (d > 0) buckets.push([b, d]) }
        let col = this.routes.get(route)
        if (!col) this.routes.set(route, col = new Columns())
        col.merge({ intervalMs: 1000, points: [{ startMs: s.timeMs, histogram: { buckets } as unknown as HeatPoint['histogram'] }] })
      }
    }
    this.routeTotals = now
  }

  backfill(s: LiveSnapshot): void {
    this.snap = s
    this.http.replace(s.http?.heatmap)
    this.msg.replace(s.messages?.heatmap)
    this.loop.replace(s.eventLoop?.heatmap)
    this.gc = (s.gc?.recent ?? []).slice(-MAX_GC)
    this.pushElu(s)
    this.pushRoutes(s, false)
  }

  tick(s: LiveSnapshot): void {
    this.snap = s
    this.ticks++
    this.http.merge(s.http?.heatmap)
    this.msg.merge(s.messages?.heatmap)
    this.loop.merge(s.eventLoop?.heatmap)
    // By arrival number: the backfill and the tick after it may both hold a GC, and a worker's
    // GCs arrive after main-thread GCs that started later.
    const last = this.gc.length ? this.gc[this.gc.length - 1].seq : -Infinity
    for (const g of s.gc?.recent ?? []) if (g.seq > last) this.gc.push(g)
    if (this.gc.length > MAX_GC) this.gc.splice(0, this.gc.length - MAX_GC)
    this.pushElu(s)
    this.pushRoutes(s, true)
  }

  private pushElu(s: LiveSnapshot): void {
    if (!s.eventLoop) return
    this.elu.push({ t: s.timeMs, v: s.eventLoop.utilization })
    if (this.elu.length > MAX_ELU) this.elu.shift()
  }
}
