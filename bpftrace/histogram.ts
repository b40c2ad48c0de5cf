// bpftrace hist()/lhist() buckets → the collectors' log-linear Histogram model.
// bpftrace buckets hold integers: {min, max} covers the values min..max, i.e. the real range
// [min, max + 1) — and when the program divided before bucketing (hist(arg2 / 1000)), the raw
// value v stands for [v·1000, (v+1)·1000) ns. A bucket's count is spread over the model's
// buckets it overlaps, in proportion to the overlap (the same uniform-within-bucket assumption
// bpftrace's own quantile-less output and the model's quantile() make). The overflow bucket of
// lhist ({min} only) counts at its lower edge, the underflow ({max: -1}) at 0. Sums are bucket
// midpoint estimates; the exact sum is only known when the one-liner also keeps stats().
// Units come from the map name's suffix: @lat_ns, @pause_us, @wait_ms, @size_bytes, @freed_kb.
import { BYTES_LAYOUT, Histogram, TIME_LAYOUT, bucketLower, bucketUpper } from '../collectors/histogram'

export interface BpftraceBucket { min?: number; max?: number; count: number }

export interface MapUnit { base: 'ns' | 'bytes'; scale: number; suffix: string }

const SUFFIXES: [RegExp, MapUnit][] = [
  [/_ns$/, { base: 'ns', scale: 1, suffix: 'ns' }],
  [/_us$/, { base: 'ns', scale: 1e3, suffix: 'us' }],
  [/_ms$/, { base: 'ns', scale: 1e6, suffix: 'ms' }],
  [/_bytes$/, { base: 'bytes', scale: 1, suffix: 'bytes' }],
  [/_kb$/, { base: 'bytes', scale: 1024, suffix: 'kb' }],
  [/_mb$/, { base: 'bytes', scale: 1024 * 1024, suffix: 'mb' }],
]

/** Unit of a map from its name ("@latency_us" → µs, scale 1000 to ns); null when it has none. */
export function unitOfMapName(name: string): MapUnit | null {
  const n = name.replace(/^@/, '').toLowerCase()
  for (const [re, u] of SUFFIXES) if (re.test(n)) return u
  return null
}

/** [lo, hi) of a bucket in raw units; a point (lo === hi) for overflow/underflow buckets. */
function rawRange(b: BpftraceBucket): [number, number] {
  if (b.min === undefined) return [0, 0] // underflow (values < 0 or < lhist min)
  if (b.max === undefined) return [b.min, b.min] // overflow
  return [b.min, b.max + 1]
}

export function bucketsToHistogram(buckets: BpftraceBucket[], unit: MapUnit): Histogram {
  const h = new Histogram(unit.base === 'ns' ? TIME_LAYOUT : BYTES_LAYOUT)
  for (const b of buckets) {
    if (!(b.count > 0)) continue
    const [rlo, rhi] = rawRange(b)
    const lo = Math.max(0, rlo * unit.scale), hi = Math.max(0, rhi * unit.scale)
    spread(h, lo, hi, b.count)
  }
  return h
}

function spread(h: Histogram, lo: number, hi: number, n: number): void {
  h.count += n
  h.sum += n * (lo + hi) / 2
  if (lo < h.min) h.min = lo
  const top = hi > lo ? hi - 1e-9 * hi : hi
  if (top > h.max) h.max = top
  if (hi <= lo) { h.counts[h.indexOf(lo)] += n; return }
  const first = h.indexOf(lo), last = h.indexOf(top)
  const width = hi - lo
  for (let i = first; i <= last; i++) {
    const a = Math.max(lo, bucketLower(h.layout, i)), b = Math.min(hi, bucketUpper(h.layout, i))
    if (b > a) h.counts[i] += n * (b - a) / width
  }
}

/** Quantile straight from raw buckets (maps without a unit), interpolated inside the bucket. */
export function rawBucketQuantile(buckets: BpftraceBucket[], q: number): number {
  const total = buckets.reduce((a, b) => a + b.count, 0)
  if (!total) return 0
  const rank = q * total
  let seen = 0
  for (const b of buckets) {
    if (!(b.count > 0)) continue
    if (seen + b.count >= rank) {
      const [lo, hi] = rawRange(b)
      return lo + (hi - lo) * ((rank - seen) / b.count)
    }
    seen += b.count
  }
  const last = [...buckets].reverse().find((b) => b.count > 0)
  return last ? rawRange(last)[1] : 0
}
