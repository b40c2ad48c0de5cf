// Log-linear (HDR-style) histogram with fixed buckets: power-of-two major buckets, each split
// into SUB = 16 linear sub-buckets. A bucket's width is at most 1/16 of its lower bound, so a
// value reported as its bucket's midpoint is off by at most 3.2 % (quantiles: ≤ 6.25 % before
// clamping to the exact min/max). Layouts:
//   time:  values in ns; majors start at 1 µs, 2 µs, 4 µs … 2^26 µs (67 s ≥ 60 s); below 1 µs,
//          16 linear buckets of 62.5 ns. Above the top: one overflow bucket (counted, sum exact).
//   bytes: values in bytes; majors start at 64 B … 2^26 × 64 B = 4 GiB; below 64 B, 4 B buckets.
// record() is a few integer ops on a typed array: no allocation, no branch on the hot path except
// the range clamp. Two histograms of the same layout merge by adding counts.

export const SUB_BITS = 4
export const SUB = 1 << SUB_BITS

export interface HistogramLayout {
  readonly name: 'time' | 'bytes'
  /** Multiply a value by this to get integer units (1/SUB of the lowest major). */
  readonly scale: number
  /** Value of one unit (1 / scale, exactly representable: 62.5 ns, 4 B). */
  readonly unitValue: number
  /** Number of power-of-two majors above the linear region. */
  readonly majors: number
  /** Unit of recorded values, for exports. */
  readonly unit: 'ns' | 'bytes'
}

export const TIME_LAYOUT: HistogramLayout = { name: 'time', scale: SUB / 1000, unitValue: 1000 / SUB, majors: 26, unit: 'ns' }
export const BYTES_LAYOUT: HistogramLayout = { name: 'bytes', scale: SUB / 64, unitValue: 64 / SUB, majors: 26, unit: 'bytes' }

/** Buckets in a layout: linear region (2 × SUB indices share shift 0) + SUB per further major + overflow. */
export function bucketCount(layout: HistogramLayout): number { return (layout.majors + 1) * SUB + 1 }

/** Lower bound of bucket i, in the layout's value unit. */
export function bucketLower(layout: HistogramLayout, i: number): number {
  const overflow = bucketCount(layout) - 1
  if (i >= overflow) return SUB * 2 ** layout.majors * layout.unitValue
  const shift = Math.max(0, (i >> SUB_BITS) - 1)
  const top = i < SUB ? i : (i & (SUB - 1)) + SUB
  return top * 2 ** shift * layout.unitValue
}

/** Upper bound (exclusive) of bucket i; Infinity for the overflow bucket. */
export function bucketUpper(layout: HistogramLayout, i: number): number {
  return i >= bucketCount(layout) - 1 ? Infinity : bucketLower(layout, i + 1)
}

export interface HistogramSnapshot {
  layout: 'time' | 'bytes'
  count: number
  sum: number
  min: number
  max: number
  /** Sparse non-zero buckets: [bucket index, count] pairs. */
  buckets: [number, number][]
}

export class Histogram {
  readonly layout: HistogramLayout
  readonly counts: Float64Array
  // count, sum, min, max in one typed array: a double in an object field is a boxed number that
  // every store goes through; here record() is typed-array stores only (bench/collectors-histogram.ts:
  // 5.4-9.9 -> ~3 ns added per record).
  private readonly stats = new Float64Array([0, 0, Infinity, -Infinity])
  private readonly scale: number
  private readonly limit: number
  private readonly overflow: number

  constructor(layout: HistogramLayout = TIME_LAYOUT) {
    this.layout = layout
    this.counts = new Float64Array(bucketCount(layout))
    this.scale = layout.scale
    this.limit = SUB * 2 ** layout.majors
    this.overflow = this.counts.length - 1
  }

  get count(): number { return this.stats[0] }
  set count(n: number) { this.stats[0] = n }
  get sum(): number { return this.stats[1] }
  set sum(n: number) { this.stats[1] = n }
  get min(): number { return this.stats[2] }
  set min(n: number) { this.stats[2] = n }
  get max(): number { return this.stats[3] }
  set max(n: number) { this.stats[3] = n }

  /** Record one value (ns or bytes). Negative and NaN count as 0. */
  record(value: number): void {
    const v = value > 0 ? value : 0
    const q = v * this.scale
    let i: number
    if (q >= this.limit) i = this.overflow
    else {
      const qi = q | 0
      const s = 27 - Math.clz32(qi)
      const shift = s & ~(s >> 31)  // max(0, s) without a branch: s < 0 for a third of log-uniform values
      i = (shift << SUB_BITS) + (qi >>> shift)
    }
    this.counts[i]++
    const st = this.stats
    st[0]++
    st[1] += v
    if (v < st[2]) st[2] = v
    if (v > st[3]) st[3] = v
  }

  /** Record n occurrences of the same value (merging forwarded data). */
  recordN(value: number, n: number): void {
    if (!(n > 0)) return
    const v = value > 0 ? value : 0
    this.counts[this.indexOf(v)] += n
    this.count += n
    this.sum += v * n
    if (v < this.min) this.min = v
    if (v > this.max) this.max = v
  }

  indexOf(value: number): number {
    const q = value * this.scale
    if (q >= this.limit) return this.overflow
    const qi = q > 0 ? q | 0 : 0
    const shift = Math.max(0, 27 - Math.clz32(qi))
    return (shift << SUB_BITS) + (qi >>> shift)
  }

  /** Add another histogram of the same layout into this one. */
  merge(other: Histogram): this {
    if (other.layout.name !== this.layout.name) throw new TypeError(`histogram merge: layout ${other.layout.name} into ${this.layout.name}`)
    const a = this.counts, b = other.counts
    for (let i = 0; i < a.length; i++) a[i] += b[i]
    this.count += other.count
    this.sum += other.sum
    if (other.min < this.min) this.min = other.min
    if (other.max > this.max) this.max = other.max
    return this
  }

  reset(): void {
    this.counts.fill(0)
    this.stats.set([0, 0, Infinity, -Infinity])
  }

  mean(): number { return this.count ? this.sum / this.count : 0 }

  /**
   * Quantile q in [0, 1]: the value below which a share q of recorded values fall, interpolated
   * linearly inside its bucket and clamped to the exact min/max. 0 when empty.
   */
  quantile(q: number): number {
    if (this.count === 0) return 0
    if (q <= 0) return this.min
    if (q >= 1) return this.max
    const rank = q * this.count
    let seen = 0
    const c = this.counts
    for (let i = 0; i < c.length; i++) {
      if (c[i] === 0) continue
      if (seen + c[i] >= rank) {
        const lo = bucketLower(this.layout, i)
        const hi = Math.min(bucketUpper(this.layout, i), this.max)
        const v = lo + (hi - lo) * ((rank - seen) / c[i])
        return Math.min(this.max, Math.max(this.min, v))
      }
      seen += c[i]
    }
    return this.max
  }

  /** Cumulative count of values below `upper` (an exact bucket boundary of this layout). */
  countBelow(upper: number): number {
    let n = 0
    const c = this.counts
    for (let i = 0; i < c.length; i++) {
      if (bucketLower(this.layout, i) >= upper) break
      n += c[i]
    }
    return n
  }

  snapshot(): HistogramSnapshot {
    const buckets: [number, number][] = []
    for (let i = 0; i < this.counts.length; i++) if (this.counts[i] !== 0) buckets.push([i, this.counts[i]])
    return { layout: this.layout.name, count: this.count, sum: this.sum, min: this.count ? this.min : 0, max: this.count ? this.max : 0, buckets }
  }

  /** Add a snapshot (e.g. forwarded from a worker thread) into this histogram. */
  mergeSnapshot(s: HistogramSnapshot): void {
    if (s.layout !== this.layout.name || s.count === 0) return
    for (const [i, n] of s.buckets) if (i >= 0 && i < this.counts.length) this.counts[i] += n
    this.count += s.count
    this.sum += s.sum
    if (s.min < this.min) this.min = s.min
    if (s.max > this.max) this.max = s.max
  }
}

export function createTimeHistogram(): Histogram { return new Histogram(TIME_LAYOUT) }
export function createBytesHistogram(): Histogram { return new Histogram(BYTES_LAYOUT) }

/** Summary for JSON: count, sum, min, max, mean and p50/p90/p99, in the layout's unit. */
export function summarize(h: Histogram): { count: number; sum: number; min: number; max: number; mean: number; p50: number; p90: number; p99: number } {
  return {
    count: h.count, sum: h.sum, min: h.count ? h.min : 0, max: h.count ? h.max : 0, mean: h.mean(),
    p50: h.quantile(0.5), p90: h.quantile(0.9), p99: h.quantile(0.99),
  }
}
