// `sonde run --cpu-profile FILE --counts` on a real node process (test/fixtures/apps/tracer-cpu):
// V8's sampled profile gets V8 precise-coverage call counts on every called function, sampled
// or not (helper: 1000 calls in microseconds, rare: 23), and the combination with
// --trace-functions is refused (its coverage offsets would point into instrumented code).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { importProfileFile } from '../../viz/importers/index'
import { deriveCallGraph } from '../../viz/graph/derive'

const root = path.resolve(__dirname, '..', '..')
const app = path.join(root, 'test', 'fixtures', 'apps', 'tracer-cpu')
const sonde = path.join(root, 'bin', 'sonde.js')
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sonde-cpu-'))

const sondeRun = (args: string[], env: NodeJS.ProcessEnv = process.env) =>
  spawnSync(process.execPath, [sonde, 'run', ...args], { cwd: app, encoding: 'utf8', timeout: 60_000, env })

test('every called function gets its exact CNT, sampled or not', async () => {
  const out = path.join(tmp, 'app.cpuprofile')
  const r = sondeRun(['--cpu-profile', out, '--counts', '--', 'node', 'app.js'])
  assert.is(r.status, 0, r.stderr)
  assert.equal(JSON.parse(r.stdout), { helper: 999000, rare: 276 })
  const p = await importProfileFile(out)
  assert.is(p.format, 'cpuprofile+counts')
  const g = deriveCallGraph(p)
  const node = (name: string) => {
    const found = g.nodes.filter((n) => n.name === name && (n.file ?? '').endsWith('/tracer-cpu/app.js'))
    assert.is(found.length, 1, `one node named ${name}: ${found.length}`)
    return found[0]
  }
  assert.is(node('helper').calls, 1000)
  assert.is(node('rare').calls, 23)
  assert.is(node('busy').calls, 1)
  assert.ok(node('busy').total > 0, 'busy was sampled')
  assert.ok(node('helper').line === 5 && node('rare').line === 6, 'declaration lines')
  // Unsampled functions carry no time of their own: OWN still sums to the sampled total.
  const own = g.nodes.reduce((s, n) => s + n.self, 0)
  assert.is(own, g.total)
})

test('--counts with --trace-functions (flag or SONDE_TRACE) is refused: one line, exit 2', () => {
  const out = path.join(tmp, 'both.cpuprofile')
  for (const [args, env] of [
    [['--trace-functions', 'app.js', '--cpu-profile', out, '--counts', '--', 'node', 'app.js'], process.env],
    [['--cpu-profile', out, '--counts', '--', 'node', 'app.js'], { ...process.env, SONDE_TRACE: '' }],
  ] as [string[], NodeJS.ProcessEnv][]) {
    const r = sondeRun(args, env)
    assert.is(r.status, 2, r.stderr)
    assert.is(r.stderr.trim().split('\n').length, 1, r.stderr)
    assert.match(r.stderr, /--counts cannot be combined with --trace-functions/)
    assert.is(r.stdout, '', 'the app did not run')
  }
  assert.not.ok(fs.existsSync(out))
})

test.after(() => fs.rmSync(tmp, { recursive: true, force: true }))
test.run()
