// A time-series ring of histograms, one per interval, for latency heatmaps (time × bucket × count).
// Memory is fixed at construction: `slots` histograms, reused in place. The owner calls rotate()
// from its (guarded) timer; record() writes into the current slot with no clock read, so it costs
// what Histogram.record costs.

import { Histogram, HistogramLayout, HistogramSnapshot, TIME_LAYOUT } from './histogram'

export interface SeriesRingOptions {
  /** Number of intervals kept (default 60). */
  slots?: number
  /** Interval length in ms (default 1000). */
  intervalMs?: number
  layout?: HistogramLayout
}

export interface SeriesSnapshot {
  intervalMs: number
  /** Oldest first: interval start (ms since epoch) and its histogram. */
  points: { startMs: number; histogram: HistogramSnapshot }[]
}

export class SeriesRing {
  readonly intervalMs: number
  /** A slot's histogram is made when the ring first reaches it: a ring costs one histogram at start, not `slots`. */
  private readonly ring: (Histogram | undefined)[]
  private readonly layout: HistogramLayout
  private readonly starts: Float64Array
  private head = 0
  private filled = 1
  current: Histogram

  constructor(opts: SeriesRingOptions = {}) {
    const slots = opts.slots ?? 60
    if (!Number.isInteger(slots) || slots < 1 || slots > 3600) throw new RangeError(`series ring: slots must be an integer in 1..3600, got ${slots}`)
    this.intervalMs = opts.intervalMs ?? 1000
    if (!(this.intervalMs >= 10)) throw new RangeError(`series ring: intervalMs must be ≥ 10, got ${opts.intervalMs}`)
    this.layout = opts.layout ?? TIME_LAYOUT
    this.ring = new Array<Histogram | undefined>(slots).fill(undefined)
    this.starts = new Float64Array(slots)
    this.starts[0] = Date.now()
    this.current = this.ring[0] = new Histogram(this.layout)
  }

  record(value: number): void { this.current.record(value) }

  /** Close the current interval and open the next (reusing the oldest slot). */
  rotate(nowMs: number = Date.now()): void {
    this.head = (this.head + 1) % this.ring.length
    const slot = this.ring[this.head]
    if (slot) slot.reset()
    this.current = slot ?? (this.ring[this.head] = new Histogram(this.layout))
    this.starts[this.head] = nowMs
    if (this.filled < this.ring.length) this.filled++
  }

  /** Histograms oldest first; the last one is the interval in progress. */
  histograms(): { startMs: number; histogram: Histogram }[] {
    const out: { startMs: number; histogram: Histogram }[] = []
    const n = this.ring.length
    for (let k = this.filled - 1; k >= 0; k--) {
      const i = (this.head - k + n) % n
      out.push({ startMs: this.starts[i], histogram: this.ring[i]! })
    }
    return out
  }

  snapshot(): SeriesSnapshot {
    return { intervalMs: this.intervalMs, points: this.histograms().map((p) => ({ startMs: p.startMs, histogram: p.histogram.snapshot() })) }
  }
}

export function createSeriesRing(opts?: SeriesRingOptions): SeriesRing { return new SeriesRing(opts) }
