// `sonde callgraph --process / --diff / --diff-process` end to end through the built CLI.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawnSync } from 'node:child_process'
import { join } from 'node:path'

const root = join(__dirname, '..', '..')
const bin = join(root, 'bin', 'sonde.js')
const procs = join(root, 'test', 'fixtures', 'fprof', 'procs.default.analysis')
const fib = join(root, 'test', 'fixtures', 'fprof', 'fib.default.analysis')
const perf = join(root, 'test', 'fixtures', 'perf', 'node20_worker_pid-tid.perf')

function sonde(args: string[]) {
  const r = spawnSync(process.execPath, [bin, 'callgraph', ...args], { encoding: 'utf8', timeout: 120_000 })
  return { code: r.status, out: r.stdout, err: r.stderr }
}

const deltas = (dot: string) => [...dot.matchAll(/Δ ([+−-]?[\d.]+) pts/g)].map((m) => m[1])

test('--process accepts fprof 0.82.0 as well as <0.82.0>, perf tids; same JSON either way', () => {
  const a = sonde([procs, '--process', '<0.82.0>', '--output', 'json'])
  const b = sonde([procs, '--process', '0.82.0', '--output', 'json'])
  assert.is(a.code, 0, a.err)
  assert.is(b.code, 0, b.err)
  assert.is(b.out, a.out)
  assert.is(JSON.parse(b.out).total, 578) // µs: the <0.82.0> header's OWN 0.578 ms
  const t = sonde([perf, '--process', '16215', '--output', 'json'])
  assert.is(t.code, 0, t.err)
  assert.is(t.out, sonde([perf, '--process', 'node-16161/16215', '--output', 'json']).out)
})

test('--diff with --process compares the same process in both profiles (a profile against itself: all 0)', () => {
  const r = sonde([procs, '--process', '0.82.0', '--diff', procs, '-n', '0'])
  assert.is(r.code, 0, r.err)
  const d = deltas(r.out)
  assert.ok(d.length >= 4, r.out.slice(0, 200))
  assert.ok(d.every((x) => Number(x.replace('−', '-')) === 0), d.join(' '))
})

test('--diff whose profile lacks the process: one line pointing at --diff-process; --diff-process picks the counterpart', () => {
  const r = sonde([procs, '--process', '0.82.0', '--diff', fib])
  assert.is(r.code, 2)
  assert.is(r.err.trimEnd().split('\n').length, 1, r.err)
  assert.match(r.err, /--diff-process\): no thread or process named '0\.82\.0' in .*fib\.default\.analysis \(have: '<0\.9\.0>'; \* for all\)/)
  const ok = sonde([procs, '--process', '0.82.0', '--diff', fib, '--diff-process', '0.9.0'])
  assert.is(ok.code, 0, ok.err)
  assert.ok(deltas(ok.out).length > 0)
  const all = sonde([procs, '--process', '0.82.0', '--diff', fib, '--diff-process', '*'])
  assert.is(all.code, 0, all.err)
  const alone = sonde([procs, '--diff-process', '0.9.0'])
  assert.is(alone.code, 2)
  assert.match(alone.err, /--diff-process needs --diff OTHER/)
})

test.run()
