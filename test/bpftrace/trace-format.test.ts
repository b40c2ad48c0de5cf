// `sonde trace`'s text summary of real bpftrace output: the values 1..100 (µs) go into a
// power-of-two hist and a 10-wide lhist in one bpftrace run, so the true p50/p90/p99/max are
// known (50, 90, 99, 100). Each printed percentile is the bucket that holds it, in the map's
// own unit (µs, not ns), and both maps' ranges hold the true values; 109 printf lines print
// the last 50 and say how many are hidden.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawnSync } from 'node:child_process'
import { emptyResult, parseBpftraceLine, type TraceResult } from '../../bpftrace/output'
import { formatTraceResult } from '../../cli/trace-format'
import { missing } from '../support/system'

const skip = missing('root', 'bpftrace')

function bpftrace(program: string): TraceResult {
  const r = spawnSync('bpftrace', ['-f', 'json', '-e', program], { encoding: 'utf8', timeout: 120_000 })
  assert.is(r.status, 0, r.stderr)
  const result = emptyResult()
  for (const line of r.stdout.split('\n')) parseBpftraceLine(result, line)
  return result
}


/** [lo, hi) in µs from a printed bucket: "[32, 64) µs", "[1K, 2K) µs", "7 µs", "≥ 200 µs". */
function range(text: string): [number, number] {
  const n = (s: string): number => { const m = /^(\d+)([KMGT]?)$/.exec(s.trim())!; return Number(m[1]) * (m[2] ? 1024 ** ('KMGT'.indexOf(m[2]) + 1) : 1) }
  let m = /^\[([^,]+), ([^)]+)\)$/.exec(text)
  if (m) return [n(m[1]), n(m[2])]
  if ((m = /^≥ (\S+)$/.exec(text))) return [n(m[1]), Infinity]
  if ((m = /^< (\S+)$/.exec(text))) return [-Infinity, n(m[1])]
  return [n(text), n(text) + 1]
}

test('hist and lhist of 1..100 µs: labelled µs, each percentile the bucket that holds the true value', () => {
  if (skip) { console.log(`skipped: ${skip}`); return }
  const r = bpftrace('BEGIN { $i = 1; while ($i <= 100) { @pow_us = hist($i); @lin_us = lhist($i, 0, 200, 10); @top_us = max($i); $i++; } exit(); }')
  const text = formatTraceResult(r)
  assert.not.match(text, /\(ns\)/)
  assert.match(text, /^@pow_us \(µs;/m)
  assert.match(text, /^@lin_us \(µs;/m)
  assert.match(text, /^@top_us: 100 µs$/m)
  const truth = { p50: 50, p90: 90, p99: 99, max: 100 }
  for (const map of ['@pow_us', '@lin_us']) {
    const line = text.split('\n')[text.split('\n').indexOf(text.split('\n').find((l) => l.startsWith(`${map} `))!) + 1]
    assert.match(line, /count\s+100\b/)
    for (const [col, v] of Object.entries(truth)) {
      const m = new RegExp(`${col} (.+?) µs`).exec(line)
      assert.ok(m, `${map} ${col} in ${line}`)
      const [lo, hi] = range(m![1])
      assert.ok(lo <= v && v < hi, `${map} ${col}: ${m![1]} must hold ${v}`)
    }
  }
  // the power-of-two bucket of 99 and 100 is [64, 128): printed as such, not as "max 128 µs"
  assert.match(text, /p99 \[64, 128\) µs\s+max \[64, 128\) µs/)
  assert.match(text, /p99 \[90, 100\) µs\s+max \[100, 110\) µs/)
})

test('buckets far above the map\'s unit read in a larger one; bytes in KiB', () => {
  if (skip) { console.log(`skipped: ${skip}`); return }
  // 100 000 µs (100 ms) falls in bpftrace's [64K, 128K) µs bucket: [65.5, 131) ms; 3000 bytes in [2K, 4K)
  const r = bpftrace('BEGIN { @big_us = hist(100000); @size_bytes = hist(3000); @zero_us = hist(0); exit(); }')
  const text = formatTraceResult(r)
  assert.match(text, /p50 \[65\.5, 131\) ms/)
  assert.match(text, /p50 \[2, 4\) KiB/)
  assert.match(text, /p50 0 µs/)
})

test('109 printf lines: the last 50 shown, and "… 59 more"', () => {
  if (skip) { console.log(`skipped: ${skip}`); return }
  const r = bpftrace('BEGIN { $i = 1; while ($i <= 109) { printf("line %d\\n", $i); $i++; } exit(); }')
  assert.is(r.printf.length, 109)
  const text = formatTraceResult(r)
  assert.match(text, /^printf \(109 lines, the last 50 shown\):\n {2}… 59 more before these/m)
  assert.ok(text.includes('  line 60\n') && text.includes('  line 109\n'))
  assert.not.ok(text.includes('  line 59\n'))
})

test.run()
