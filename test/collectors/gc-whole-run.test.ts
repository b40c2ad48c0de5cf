// GC collector over the whole run against V8's own --trace-gc (independent truth): from the
// process's start, sonde's own start-up included, to a mark near its end, the collections in
// /metrics (kinds scavenge, minor_mark_compact, mark_sweep_compact: the ones --trace-gc prints a
// line for, test/collectors/gc-accuracy.test.ts says why) equal the --trace-gc lines exactly,
// and their total pause is within 10 % of the lines' sum. This holds only because the addon,
// whose GC callbacks record every GC from its load, is the first thing register loads: a GC
// before it would be a line with no event. Nothing is subtracted, no window.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import path from 'node:path'
import { which } from '../support/system'
import { parseTraceGcLine, runUnderTraceGc } from '../support/trace-gc'

const dist = path.resolve(__dirname, '../../dist')
const app = path.join(__dirname, 'apps/gc-whole-run.js')
const COLLECTIONS = new Set(['scavenge', 'minor_mark_compact', 'mark_sweep_compact'])


test('whole run, start-up included: GC count in /metrics = --trace-gc lines, total pause within 10 %', async () => {
  if (!which('stdbuf')) assert.unreachable('stdbuf (coreutils) missing')
  const stdout = await runUnderTraceGc(dist, app)
  const lines = stdout.split('\n')
  const end = lines.indexOf('MARK end')
  const result = lines.find((l) => l.startsWith('RESULT '))
  assert.ok(end > 0 && result, stdout.slice(-2000))
  const r = JSON.parse(result!.slice(7)) as { iso: string; text: string }
  const gcs = lines.slice(0, end).map(parseTraceGcLine).filter((g) => g !== null)
  assert.ok(gcs.every((g) => g!.isolate === r.iso), 'one isolate')
  assert.is(lines.slice(end, lines.indexOf(result!)).map(parseTraceGcLine).filter((g) => g !== null).length, 0, 'no GC while /metrics was read')
  let count = 0, pauseS = 0
  for (const l of r.text.split('\n')) {
    const m = /^sonde_gc_duration_seconds_(count|sum)\{kind="(\w+)"\} (\S+)$/.exec(l)
    if (!m || !COLLECTIONS.has(m[2])) continue
    if (m[1] === 'count') count += Number(m[3])
    else pauseS += Number(m[3])
  }
  const truthMs = gcs.reduce((a, g) => a + g!.pauseMs, 0)
  const rel = Math.abs(pauseS * 1e3 - truthMs) / truthMs
  process.stdout.write(`  --trace-gc: ${gcs.length} GCs ${truthMs.toFixed(2)} ms; /metrics: ${count} GCs ${(pauseS * 1e3).toFixed(2)} ms (${(rel * 100).toFixed(1)} %)\n`)
  assert.ok(gcs.length >= 5, `a few GCs in the run: ${gcs.length}`)
  assert.is(count, gcs.length, 'every GC of the run, from the process start')
  assert.ok(rel <= 0.10, `pause ${(pauseS * 1e3).toFixed(2)} ms vs --trace-gc ${truthMs.toFixed(2)} ms`)
})

test.run()
