// The function tracer on generators, yield* delegation, an async generator and for await
// (test/fixtures/apps/tracer-generators/app.js), in a real node process: exact CNT per
// function and edge, suspensions counted per yield/await, ACC of each consumer equal to the
// wall time the app measured itself (the generator's time off the stack is not counted a
// second time as its `suspend`), ~100 ms `suspend` for the async generator's five 20 ms
// timers, OWN of all functions summing to main's ACC, and the app's output unchanged.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { importFromSondeTrace } from '../../viz/importers/sonde-trace'
import { deriveCallGraph } from '../../viz/graph/derive'
import type { CallGraph } from '../../viz/model/call-graph'

const root = path.resolve(__dirname, '..', '..')
const app = path.join(root, 'test', 'fixtures', 'apps', 'tracer-generators')
const preload = path.join(root, 'dist', 'tracer', 'preload.js')
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sonde-gen-'))

interface Out { sync: { sum: number; wallMs: number }; delegated: string; async: { sum: number; wallMs: number }; mainMs: number; mainOuterMs: number }

function run(traced: boolean): { out: Out; g?: CallGraph } {
  const trace = path.join(tmp, 'gen.trace')
  const r = spawnSync(process.execPath, traced ? ['-r', preload, 'app.js'] : ['app.js'], {
    cwd: app, encoding: 'utf8', timeout: 60_000,
    env: { ...process.env, SONDE_TRACE: traced ? '' : undefined, SONDE_TRACE_OUT: trace },
  })
  assert.is(r.status, 0, r.stderr)
  const out = JSON.parse(r.stdout.trim()) as Out
  if (!traced) return { out }
  return { out, g: deriveCallGraph(importFromSondeTrace(fs.readFileSync(trace, 'utf8'), trace)!) }
}

const node = (g: CallGraph, name: string) => {
  const found = g.nodes.filter((n) => n.name === name && n.kind !== 'pseudo')
  assert.is(found.length, 1, `one node named ${name}`)
  return found[0]
}
const edge = (g: CallGraph, from: string, to: string) =>
  g.edges.find((e) => g.nodes[e.caller].name === from && g.nodes[e.callee].name === to)
const ms = (ns: number) => ns / 1e6

let traced: { out: Out; g?: CallGraph }
test.before(() => { traced = run(true) })

test('output unchanged by the tracer', () => {
  const plain = run(false).out
  assert.is(traced.out.sync.sum, 253)
  assert.is(traced.out.sync.sum, plain.sync.sum)
  assert.is(traced.out.delegated, 'start,a,b,c,end')
  assert.is(traced.out.delegated, plain.delegated)
  assert.is(traced.out.async.sum, 10)
  assert.is(traced.out.async.sum, plain.async.sum)
})

test('generator consumed by for-of: exact CNT, one suspend per yield, consumer ACC = its wall time', () => {
  const g = traced.g!, out = traced.out
  assert.is(node(g, 'count').calls, 1)
  assert.is(node(g, 'work').calls, 23)
  assert.is(edge(g, 'consumeSync', 'count')?.calls, 1)
  assert.is(edge(g, 'consumeSync', 'work')?.calls, 23)
  assert.is(edge(g, 'count', 'suspend')?.calls, 23)
  const consumer = node(g, 'consumeSync')
  assert.ok(Math.abs(ms(consumer.total) - out.sync.wallMs) < 2, `consumeSync ACC ${ms(consumer.total)} ms vs app ${out.sync.wallMs} ms`)
  // The 23 ms the consumer spent in work() between next() calls is the consumer's, not the generator's.
  assert.ok(ms(node(g, 'count').total) < 5, `count ACC ${ms(node(g, 'count').total)} ms`)
  assert.ok(ms(node(g, 'work').total) >= 23)
})

test('yield*: the delegate runs under the delegating generator', () => {
  const g = traced.g!
  assert.is(node(g, 'outerGen').calls, 1)
  assert.is(node(g, 'inner').calls, 1)
  assert.is(edge(g, 'consumeDelegate', 'outerGen')?.calls, 1)
  assert.is(edge(g, 'outerGen', 'inner')?.calls, 1)
  assert.not.ok(edge(g, 'consumeDelegate', 'inner'), 'inner not called by the consumer')
  assert.is(edge(g, 'inner', 'suspend')?.calls, 3)
})

test('async generator + for await: exact CNT, ~100 ms suspend, consumer ACC = its wall time', () => {
  const g = traced.g!, out = traced.out
  assert.is(node(g, 'ticks').calls, 1)
  assert.is(node(g, 'consumeAsync').calls, 1)
  assert.is(node(g, 'sleep').calls, 5)
  assert.is(edge(g, 'ticks', 'sleep')?.calls, 5)
  // Five awaits and five yields; six steps of the for await (five values and the end).
  assert.is(edge(g, 'ticks', 'suspend')?.calls, 10)
  assert.is(edge(g, 'consumeAsync', 'suspend')?.calls, 6)
  const sus = ms(edge(g, 'ticks', 'suspend')!.weight)
  assert.ok(sus >= 98 && sus <= out.async.wallMs, `ticks suspend ${sus} ms (5 x 20 ms timers, app wall ${out.async.wallMs} ms)`)
  const consumer = node(g, 'consumeAsync')
  assert.ok(Math.abs(ms(consumer.total) - out.async.wallMs) < 2, `consumeAsync ACC ${ms(consumer.total)} ms vs app ${out.async.wallMs} ms`)
})

test('OWN of all functions (suspend included) sums to main ACC = the wall time main measured', () => {
  const g = traced.g!, out = traced.out
  const own = g.nodes.filter((n) => n.name !== 'report').reduce((s, n) => s + n.self, 0)  // report prints after main returned
  const main = node(g, 'main')
  assert.ok(Math.abs(ms(own) - ms(main.total)) < 0.5, `OWN sum ${ms(own)} ms vs main ACC ${ms(main.total)} ms`)
  // between the app's clock inside main and its clock around the call (0.01 ms: float rounding)
  assert.ok(ms(main.total) >= out.mainMs - 0.01 && ms(main.total) <= out.mainOuterMs + 0.01, `main ACC ${ms(main.total)} ms vs app ${out.mainMs} ms inside, ${out.mainOuterMs} ms around`)
  assert.ok(out.mainOuterMs - out.mainMs < 50, `the bracket is tight: ${out.mainMs} / ${out.mainOuterMs} ms`)
})

test.after(() => fs.rmSync(tmp, { recursive: true, force: true }))
test.run()
