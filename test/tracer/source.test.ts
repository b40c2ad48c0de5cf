// Instrumented code keeps its meaning and its source text: a sloppy-mode script relying on
// function-scoped declarations and Annex B hoisting out of a block (and printing its own
// functions through Function.prototype.toString) prints exactly the same line traced as
// untraced, and the trace shows its functions really were instrumented. Also the
// restoration itself on the instrumenter's output for nested hoists.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { importFromSondeTrace } from '../../viz/importers/sonde-trace'
import { deriveCallGraph } from '../../viz/graph/derive'
import { instrument } from '../../tracer/instrument'
import { restoreOriginalSource } from '../../tracer/original-source'

const root = path.resolve(__dirname, '..', '..')
const app = path.join(root, 'test', 'fixtures', 'apps', 'tracer-sloppy')
const preload = path.join(root, 'dist', 'tracer', 'preload.js')
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sonde-src-'))

function run(traced: boolean, trace: string) {
  const r = spawnSync(process.execPath, traced ? ['-r', preload, 'app.js'] : ['app.js'], {
    cwd: app, encoding: 'utf8', timeout: 30_000,
    env: { ...process.env, SONDE_TRACE: traced ? '' : undefined, SONDE_TRACE_OUT: trace },
  })
  assert.is(r.status, 0, r.stderr)
  return r.stdout
}

test('sloppy script: same results and same Function.prototype.toString traced as untraced', () => {
  const trace = path.join(tmp, 'sloppy.trace')
  const plain = run(false, trace)
  const res = JSON.parse(plain) as Record<string, unknown>
  // The untraced run is the ground truth; check it means what the fixture says.
  assert.is(res.pick, 'inner')
  assert.equal(res.early, ['undefined', 'function', 1])
  assert.is(res.varAndFn, 'number')
  assert.is(res.evalVar, 2)
  assert.is(res.argMap, 'function')
  const traced = run(true, trace)
  assert.fixture(traced, plain)
  const g = deriveCallGraph(importFromSondeTrace(fs.readFileSync(trace, 'utf8'), trace)!)
  const calls = (name: string) => g.nodes.filter((n) => n.name === name).reduce((s, n) => s + (n.calls ?? 0), 0)
  for (const name of ['pick', 'early', 'varAndFn', 'evalVar', 'argMap', 'strictDup', 'later', 'helper', 'arrow', 'waits', 'gen', 'loops', 'Shape.of', 'get Shape.twice']) {
    assert.is(calls(name), 1, name)
  }
  assert.is(calls('impl'), 1, 'the block function ran, not the outer one')
  assert.is(calls('d'), 1, 'the second strict duplicate ran')
})

test('restoreOriginalSource undoes nested hoists and every inserted fragment', () => {
  const src = [
    'function a(x) {',
    '  x++',
    '  function b() { y(); function c() { return 1 } return c }',
    '  const z = async () => { for await (const v of x) await v }',
    '  const w = async (v) => await v',
    '  function* d() { yield* b() }',
    '  return [b, d, z, w]',
    '}',
  ].join('\n')
  const r = instrument(src, '/x/a.js', { module: false, sourceMap: false })!
  assert.ok(r.code.includes('/*<h0*/') && r.code.includes('/*<h1*/') && r.code.includes('/*<h2*/'), 'three declarations hoisted')
  const body = r.code.slice(0, r.code.indexOf('\n;var __sonde_R'))
  assert.is(restoreOriginalSource(body), src)
  // Each function's own source range (what V8 gives toString) restores on its own too.
  const inner = body.slice(body.indexOf('function b()'), body.indexOf('/*h0>*/'))
  assert.is(restoreOriginalSource(inner), 'function b() { y(); function c() { return 1 } return c }')
  // An expression-bodied arrow as V8 cuts it: up to the `}` of its inserted block.
  const from = body.indexOf('async (v) =>')
  const arrow = body.slice(from, body.indexOf('exitA(__sonde_a)}}', from) + 'exitA(__sonde_a)}}'.length)
  assert.is(restoreOriginalSource(arrow), 'async (v) => await v')
  assert.is(instrument(r.code, '/x/a.js', { module: false }), null, 'never instrumented twice')
})

test.after(() => fs.rmSync(tmp, { recursive: true, force: true }))
test.run()
