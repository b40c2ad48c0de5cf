// A traced program ends as it would without sonde, on the Node line running the suite:
// environment cleanup (process exit, worker exit, process.exit() inside a GC-heavy loop, an exit
// while a GC ring drain is queued, an uncaught error) releases the addon's threadsafe function,
// GC callbacks and sampler without deadlock. Each run has a deadline: a hang is a failure (it
// was one on Node 24 and 26: the main thread locked itself in napi_release_threadsafe_function).
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { apps, dist, register } from '../support/run-app'

const DEADLINE_MS = 60_000

function run(mode: string, preload: string[] = ['-r', register]) {
  const t0 = Date.now()
  const r = spawnSync(process.execPath, [...preload, path.join(apps, 'exit-paths.js')], {
    encoding: 'utf8', timeout: DEADLINE_MS,
    // default collectors: the GC ring and the allocation sampler are live
    env: { ...process.env, SONDE_DIST: dist, MODE: mode, SONDE_COLLECT: '' },
  })
  const hung = r.signal === 'SIGTERM' && Date.now() - t0 >= DEADLINE_MS - 1000
  assert.not.ok(hung, `${mode}: still running after ${DEADLINE_MS / 1000} s (hang at exit); stderr: ${r.stderr}`)
  const line = (r.stdout ?? '').split('\n').find((l) => l.startsWith('RESULT '))
  return { status: r.status, signal: r.signal, stderr: r.stderr ?? '', result: line ? JSON.parse(line.slice(7)) : undefined }
}

test('workers end and the process exits with its own code', () => {
  const r = run('workers')
  assert.is(r.signal, null, r.stderr)
  assert.is(r.status, 7, r.stderr)
  assert.equal(r.result, { addon: true, codes: [0, 0] })
})

test('--import preload: the same', () => {
  const r = run('workers', ['--import', register])
  assert.is(r.status, 7, r.stderr)
  assert.equal(r.result.codes, [0, 0])
})

test('process.exit() inside a heap-churning loop', () => {
  const r = run('exit-in-gc')
  assert.is(r.status, 5, r.stderr)
  assert.is(r.result.addon, true)
})

test('exit while GC ring drains are queued', () => {
  const r = run('drain-queued')
  assert.is(r.status, 6, r.stderr)
})

test('a worker that calls process.exit() mid-churn, another terminated mid-churn', () => {
  const r = run('worker-exit')
  assert.is(r.status, 8, r.stderr)
  assert.is(r.result.codes.exit, 9)
  assert.type(r.result.codes.spin, 'number')  // terminate(): 1 on 22+, the code is Node's
})

test('an uncaught error: exit code 1, the error on stderr', () => {
  const r = run('throw')
  assert.is(r.status, 1)
  assert.match(r.stderr, /app error/)
})

test.run()
