// GC collector against V8's own --trace-gc output of the same run (independent truth), through
// the product path: `node -r dist/register.js` with SONDE_COLLECT=default, a main thread and a
// worker (whose GCs are forwarded to the main registry). Counted: the delta of /metrics between
// two marks in the child's stdout vs the --trace-gc lines between the same marks.
//
// Kind mapping. --trace-gc prints one line per garbage collection (its line kinds per V8 and
// their GCType: test/support/trace-gc.ts); those are V8 GCType 1, 2 and 4, our kinds scavenge,
// minor_mark_compact, mark_sweep_compact. V8 also calls the GC
// callbacks with two types that are not collections and print no line of their own:
// 8 (kGCTypeIncrementalMarking: the start of incremental marking; the marking steps that follow
// run between JS and are summarised as "+ X ms in N steps" inside the later full GC's line) and 16 (kGCTypeProcessWeakCallbacks: second-pass weak
// callbacks, run after a GC). So "GC count" = the _count of kinds 1|2|4 summed, and it must equal
// the number of lines exactly; kinds 8/16 are exported as incremental_marking/weak_callbacks and
// left out of both sides. Pause: the first number of "a.bc / d.ef ms" is the GC's duration; the
// sum of our kind 1|2|4 _sum must be within 10 % of the sum of those.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import fs from 'node:fs'
import path from 'node:path'
import { which } from '../support/system'
import { parseTraceGcLine, runUnderTraceGc } from '../support/trace-gc'

const root = path.resolve(__dirname, '../..')
const dist = path.join(root, 'dist')
const app = path.join(__dirname, 'apps/gc-accuracy.js')
const COLLECTIONS = new Set(['scavenge', 'minor_mark_compact', 'mark_sweep_compact'])


interface Trace { count: number; pauseMs: number }

/** --trace-gc lines between "MARK based" and "MARK end", per isolate address; lines during the reads of /metrics. */
function traceGc(stdout: string): { byIsolate: Map<string, Trace>; duringReads: number } {
  const byIsolate = new Map<string, Trace>()
  let state = 'before', duringReads = 0
  for (const line of stdout.split('\n')) {
    if (line.startsWith('MARK ')) { state = line.slice(5); continue }
    if (line.startsWith('RESULT ')) break
    const g = parseTraceGcLine(line)
    if (!g || state === 'before') continue
    if (state !== 'based') { duringReads++; continue }
    const t = byIsolate.get(g.isolate) ?? { count: 0, pauseMs: 0 }
    t.count++; t.pauseMs += g.pauseMs
    byIsolate.set(g.isolate, t)
  }
  return { byIsolate, duringReads }
}

function metric(text: string, name: string): Map<string, number> {
  const out = new Map<string, number>()
  for (const l of text.split('\n')) {
    const m = new RegExp(`^${name}\\{kind="(\\w+)"\\} (\\S+)$`).exec(l)
    if (m) out.set(m[1], Number(m[2]))
  }
  return out
}

test('GC count from /metrics = --trace-gc lines (main + worker), total pause within 10 %', async () => {
  assert.ok(fs.existsSync(path.join(dist, 'register.js')), 'dist/ missing: run npx tsc first')
  if (!which('stdbuf')) assert.unreachable('stdbuf (coreutils) missing')
  const stdout = await runUnderTraceGc(dist, app)
  const line = stdout.split('\n').find((l) => l.startsWith('RESULT '))
  assert.ok(line, stdout.slice(-2000))
  const r = JSON.parse(line!.slice(7))
  const { byIsolate, duringReads } = traceGc(stdout)
  assert.is(duringReads, 0, 'no GC while /metrics was read (each read follows a forced GC)')
  const main = byIsolate.get(r.iso), worker = byIsolate.get(r.worker.iso)
  assert.ok(main && main.count >= 5, `main thread GCs in --trace-gc: ${main?.count}`)
  assert.ok(worker && worker.count >= 3, `worker GCs in --trace-gc: ${worker?.count}`)
  assert.is(byIsolate.size, 2)

  const delta = (name: string) => { const a = metric(r.text, name), b = metric(r.base, name); return new Map([...a].map(([k, v]) => [k, v - (b.get(k) ?? 0)])) }
  const counts = delta('sonde_gc_duration_seconds_count'), sums = delta('sonde_gc_duration_seconds_sum')
  let count = 0, pauseS = 0
  for (const [kind, n] of counts) if (COLLECTIONS.has(kind)) { count += n; pauseS += sums.get(kind)! }
  const truthCount = main!.count + worker!.count, truthMs = main!.pauseMs + worker!.pauseMs
  const other = [...counts].filter(([k]) => !COLLECTIONS.has(k)).map(([k, n]) => `${k}=${n}`).join(' ')
  process.stdout.write(`  --trace-gc: main ${main!.count} GCs ${main!.pauseMs.toFixed(2)} ms, worker ${worker!.count} GCs ${worker!.pauseMs.toFixed(2)} ms\n`)
  process.stdout.write(`  /metrics: ${count} GCs ${(pauseS * 1e3).toFixed(2)} ms (kinds 1|2|4); not collections: ${other || 'none'}\n`)
  assert.is(r.local, main!.count, 'main thread events = main isolate lines')
  assert.is(r.worker.local, worker!.count, 'worker events = worker isolate lines')
  assert.is(count, truthCount, 'main registry count = all --trace-gc lines (the worker\'s forwarded)')
  assert.ok(r.timeline >= worker!.count, `the worker's GCs are on the main timeline (gc.recent): ${r.timeline}`)
  const rel = Math.abs(pauseS * 1e3 - truthMs) / truthMs
  process.stdout.write(`  total pause relative error ${(rel * 100).toFixed(1)} %\n`)
  assert.ok(rel <= 0.10, `pause ${(pauseS * 1e3).toFixed(2)} ms vs --trace-gc ${truthMs.toFixed(2)} ms`)
})

test.run()
