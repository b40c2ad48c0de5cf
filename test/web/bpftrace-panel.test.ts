// The bpftrace panel's pure parts: the 1 s print added to every aggregation map of a library
// one-liner (not to one that prints on its own interval), and lhist re-binning (sums kept).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { withIntervalPrints, rebin } from '../../web/server/bpftrace-panel'
import { findOneLiner, renderProgram } from '../../bpftrace/oneliners/index'

test('interval prints: every aggregation map of msg-latency and http-latency, once', () => {
  const msg = withIntervalPrints(renderProgram(findOneLiner('msg-latency')!))
  assert.match(msg, /\ninterval:s:1 \{ print\(@latency_ns\); print\(@latency_us\); print\(@stats_ns\); \}\n$/)
  const http = withIntervalPrints(renderProgram(findOneLiner('http-latency')!))
  assert.match(http, /\ninterval:s:1 \{ print\(@latency_us\); \}\n$/)
})

test('interval prints: a one-liner with its own interval probe is left as is', () => {
  const p = renderProgram(findOneLiner('requests-by-status')!)
  assert.ok(/interval:/.test(p))
  assert.is(withIntervalPrints(p), p)
  assert.is(withIntervalPrints('tracepoint:x:y { printf("hi\\n"); }'), 'tracepoint:x:y { printf("hi\\n"); }')
})

test('rebin: 1000 lhist buckets + overflow → ≤ 64, counts and range kept', () => {
  const b = Array.from({ length: 1000 }, (_x, i) => ({ min: i, max: i, count: i % 7 }))
  b.push({ min: 1000, max: undefined as unknown as number, count: 23 })
  const r = rebin(b)
  assert.ok(r.length <= 64, `${r.length} buckets`)
  assert.is(r.reduce((a, x) => a + x.count, 0), b.reduce((a, x) => a + x.count, 0))
  assert.is(r[0].min, 0)
  assert.is(r[r.length - 2].max, 999)
  assert.equal(r[r.length - 1], { min: 1000, max: undefined, count: 23 })
  const small = b.slice(0, 10)
  assert.is(rebin(small), small)
})

test.run()
