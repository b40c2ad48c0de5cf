// A prom-client metric (registry-compatible) whose values come from our histograms at scrape
// time. Our buckets are log-linear (16 per power of two); the exported `le` boundaries are
// the power-of-two majors (1 µs × 2^k up to 67 s, 64 B × 2^k up to 4 GiB), which are exact
// boundaries of ours, so cumulative counts are exact (a value equal to a boundary counts in the
// next bucket: our buckets are [lo, hi)). _sum and _count are exact.
import { Histogram, HistogramLayout, SUB, bucketLower, TIME_LAYOUT, BYTES_LAYOUT } from './histogram'

export interface Series { labels: Record<string, string>; histogram: Histogram }

function boundaries(layout: HistogramLayout): { index: number; le: string }[] {
  const toBase = layout.unit === 'ns' ? 1e9 : 1
  const out: { index: number; le: string }[] = []
  for (let m = 1; m <= layout.majors + 1; m++) out.push({ index: m * SUB, le: String(bucketLower(layout, m * SUB) / toBase) })
  return out
}
const TIME_LE = boundaries(TIME_LAYOUT)
const BYTES_LE = boundaries(BYTES_LAYOUT)

/** A prom-client metric (registry-compatible) whose values come from our histograms at scrape time. */
export class SnapshotHistogramMetric {
  readonly type = 'histogram'
  readonly aggregator = 'sum'
  constructor(readonly name: string, readonly help: string, readonly labelNames: string[], private readonly read: () => Series[]) {}
  reset(): void { /* values live in the collectors */ }
  async get() {
    const values: { labels: Record<string, string>; value: number; metricName: string }[] = []
    for (const s of this.read()) {
      const h = s.histogram
      const toBase = h.layout.unit === 'ns' ? 1e-9 : 1
      const les = h.layout.unit === 'ns' ? TIME_LE : BYTES_LE
      let cum = 0, i = 0
      const c = h.counts
      for (const b of les) {
        for (; i < b.index; i++) cum += c[i]
        values.push({ labels: { ...s.labels, le: b.le }, value: cum, metricName: this.name + '_bucket' })
      }
      values.push({ labels: { ...s.labels, le: '+Inf' }, value: h.count, metricName: this.name + '_bucket' })
      values.push({ labels: s.labels, value: h.sum * toBase, metricName: this.name + '_sum' })
      values.push({ labels: s.labels, value: h.count, metricName: this.name + '_count' })
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values }
  }
}

