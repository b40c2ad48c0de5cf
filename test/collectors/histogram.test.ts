import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { TIME_LAYOUT, BYTES_LAYOUT, bucketLower, bucketUpper, bucketCount, createTimeHistogram, createBytesHistogram } from '../../collectors/histogram'
import { createSeriesRing } from '../../collectors/series-ring'

// Deterministic PRNG (mulberry32) so failures reproduce.
function rng(seed: number): () => number {
  return () => {
    seed |= 0; seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function exactQuantile(sorted: number[], q: number): number {
  // Same definition as Histogram.quantile: smallest value with rank ≥ q·n.
  const k = Math.max(0, Math.ceil(q * sorted.length) - 1)
  return sorted[k]
}

test('bucket boundaries: 1 µs, 2 µs … and 64 B … 4 GiB are exact bucket lower bounds', () => {
  assert.is(bucketLower(TIME_LAYOUT, 16), 1000)
  assert.is(bucketLower(TIME_LAYOUT, 32), 2000)
  assert.is(bucketLower(TIME_LAYOUT, 48), 4000)
  assert.is(bucketLower(BYTES_LAYOUT, 16), 64)
  assert.is(bucketLower(BYTES_LAYOUT, bucketCount(BYTES_LAYOUT) - 1), 4 * 1024 ** 3)
  assert.ok(bucketLower(TIME_LAYOUT, bucketCount(TIME_LAYOUT) - 1) >= 60e9, 'time layout reaches 60 s')
  // contiguous, increasing, relative width ≤ 1/16 above the linear region
  for (let i = 16; i < bucketCount(TIME_LAYOUT) - 1; i++) {
    const lo = bucketLower(TIME_LAYOUT, i), hi = bucketUpper(TIME_LAYOUT, i)
    assert.ok(hi > lo)
    assert.ok((hi - lo) / lo <= 1 / 16 + 1e-12, `bucket ${i} width ${(hi - lo) / lo}`)
  }
})

test('every value lands in the bucket whose bounds contain it', () => {
  const h = createTimeHistogram()
  const r = rng(7)
  for (let k = 0; k < 20000; k++) {
    const v = Math.floor(Math.exp(r() * Math.log(6e10)))
    const i = h.indexOf(v)
    assert.ok(bucketLower(TIME_LAYOUT, i) <= v && v < bucketUpper(TIME_LAYOUT, i), `v=${v} i=${i}`)
  }
  const b = createBytesHistogram()
  for (const v of [0, 3, 4, 63, 64, 65, 4095, 4096, 1e6, 2 ** 32 - 1]) {
    const i = b.indexOf(v)
    assert.ok(bucketLower(BYTES_LAYOUT, i) <= v && v < bucketUpper(BYTES_LAYOUT, i), `bytes v=${v} i=${i}`)
  }
})

test('count/sum/min/max exact; quantiles within the stated 6.25 % of exact quantiles (log-normal data)', () => {
  const h = createTimeHistogram()
  const r = rng(42)
  const data: number[] = []
  for (let k = 0; k < 100003; k++) {
    // log-normal around 200 µs, spanning µs..s
    const z = Math.sqrt(-2 * Math.log(r() || 1e-12)) * Math.cos(2 * Math.PI * r())
    const v = Math.round(200_000 * Math.exp(1.5 * z))
    data.push(v); h.record(v)
  }
  data.sort((a, b) => a - b)
  assert.is(h.count, 100003)
  assert.is(h.sum, data.reduce((a, b) => a + b, 0))
  assert.is(h.min, data[0])
  assert.is(h.max, data[data.length - 1])
  for (const q of [0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999]) {
    const exact = exactQuantile(data, q), est = h.quantile(q)
    assert.ok(Math.abs(est - exact) / exact <= 0.0625, `q${q}: est ${est} exact ${exact}`)
  }
  assert.is(h.quantile(0), data[0])
  assert.is(h.quantile(1), data[data.length - 1])
})

test('quantiles of small known data: 1..100 ms', () => {
  const h = createTimeHistogram()
  for (let ms = 1; ms <= 100; ms++) h.record(ms * 1e6)
  assert.is(h.mean(), 50.5e6)
  for (const [q, exact] of [[0.5, 50e6], [0.9, 90e6], [0.99, 99e6]] as const) {
    assert.ok(Math.abs(h.quantile(q) - exact) / exact <= 0.0625, `q${q} ${h.quantile(q)}`)
  }
})

test('merge equals recording everything in one; snapshot round-trips; layouts do not mix', () => {
  const a = createTimeHistogram(), b = createTimeHistogram(), all = createTimeHistogram()
  const r = rng(3)
  for (let k = 0; k < 5003; k++) { const v = r() * 1e7; (k % 2 ? a : b).record(v); all.record(v) }
  a.merge(b)
  assert.equal(Array.from(a.counts), Array.from(all.counts))
  assert.is(a.count, all.count); assert.is(a.min, all.min); assert.is(a.max, all.max)
  assert.ok(Math.abs(a.sum - all.sum) < 1e-3)
  const c = createTimeHistogram(); c.mergeSnapshot(all.snapshot())
  assert.equal(Array.from(c.counts), Array.from(all.counts))
  assert.is(c.quantile(0.9), all.quantile(0.9))
  assert.throws(() => a.merge(createBytesHistogram()), /layout/)
})

test('out-of-range values: negative/NaN → 0, beyond 67 s → overflow bucket with exact sum/max', () => {
  const h = createTimeHistogram()
  h.record(-5); h.record(NaN); h.record(120e9)
  assert.is(h.count, 3)
  assert.is(h.counts[0], 2)
  assert.is(h.counts[h.counts.length - 1], 1)
  assert.is(h.max, 120e9)
  assert.is(h.sum, 120e9)
  h.recordN(3000, 7)
  assert.is(h.count, 10)
  assert.is(h.countBelow(4000), 9)
})

test('series ring keeps a fixed number of intervals and reuses them', () => {
  const ring = createSeriesRing({ slots: 5, intervalMs: 100 })
  for (let t = 0; t < 13; t++) { ring.record((t + 1) * 1000); ring.rotate(1000 + t * 100) }
  const hs = ring.histograms()
  assert.is(hs.length, 5)
  assert.is(hs[4].histogram.count, 0) // the open interval
  assert.is(hs[3].histogram.max, 13000)
  assert.is(hs[0].histogram.max, 10000)
  assert.is(ring.snapshot().points.length, 5)
  assert.throws(() => createSeriesRing({ slots: 0 }), /slots/)
})

test.run()
