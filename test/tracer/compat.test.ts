// Instrumented code behaves as before: minimist's own published test suite (run by tape)
// passes with minimist traced, and the tracer really traced it; a TypeScript app compiled
// with a source map shows .ts locations, and its stack traces under --enable-source-maps
// still point at the .ts line.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { buildSync } from 'esbuild'
import { importFromSondeTrace } from '../../viz/importers/sonde-trace'
import { deriveCallGraph } from '../../viz/graph/derive'

const root = path.resolve(__dirname, '..', '..')
const preload = path.join(root, 'dist', 'tracer', 'preload.js')
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sonde-compat-'))
const minimist = path.dirname(require.resolve('minimist/package.json'))
const tape = path.join(path.dirname(require.resolve('tape/package.json')), 'bin', 'tape')

function runTests(traced: boolean, out: string) {
  const files = fs.readdirSync(path.join(minimist, 'test')).filter((f) => f.endsWith('.js')).map((f) => path.join('test', f))
  const env: NodeJS.ProcessEnv = { ...process.env }
  const args = [tape, ...files]
  if (traced) {
    env.SONDE_TRACE = '**/node_modules/minimist/**'
    env.SONDE_TRACE_OUT = out
    args.unshift('-r', preload)
  }
  return spawnSync(process.execPath, args, { cwd: minimist, encoding: 'utf8', env, timeout: 120_000 })
}

test("minimist's own test suite passes under the tracer, as it does without", () => {
  const plain = runTests(false, '')
  assert.is(plain.status, 0, plain.stdout.slice(-2000))
  const out = path.join(tmp, 'minimist.trace')
  const traced = runTests(true, out)
  assert.is(traced.status, 0, traced.stdout.slice(-2000) + traced.stderr)
  const count = (s: string, re: RegExp) => Number(re.exec(s)?.[1] ?? -1)
  const plainPass = count(plain.stdout, /^# pass\s+(\d+)/m)
  assert.ok(plainPass > 100, `plain run passes ${plainPass} assertions`)
  assert.is(count(traced.stdout, /^# pass\s+(\d+)/m), plainPass)
  assert.is(count(traced.stdout, /^# fail\s+(\d+)/m), -1)
  // It really was traced: minimist's parse ran once per call in its tests, and more.
  const p = importFromSondeTrace(fs.readFileSync(out, 'utf8'), out)!
  const g = deriveCallGraph(p)
  const parse = g.nodes.filter((n) => n.file?.endsWith(path.join('minimist', 'index.js')) && n.name === 'module.exports')
  assert.is(parse.length, 1, 'minimist entry point traced')
  assert.ok(parse[0].calls! > 50, `parse called ${parse[0].calls} times`)
  assert.ok(g.nodes.some((n) => n.file?.includes(`${path.sep}test${path.sep}`) && n.file.includes('minimist')), 'its test files traced too')
  assert.not.ok(g.nodes.some((n) => n.file?.includes(`${path.sep}tape${path.sep}`)), 'tape not traced')
})

test('TypeScript app: .ts locations in the trace; stack traces keep the .ts line', () => {
  const src = path.join(root, 'test', 'fixtures', 'apps', 'tracer-ts', 'main.ts')
  const js = path.join(tmp, 'main.js')
  buildSync({ entryPoints: [src], outfile: js, sourcemap: 'linked', format: 'cjs', platform: 'node', logLevel: 'silent' })
  const out = path.join(tmp, 'ts.trace')
  const r = spawnSync(process.execPath, ['--enable-source-maps', '-r', preload, js], {
    cwd: tmp, encoding: 'utf8', env: { ...process.env, SONDE_TRACE: '', SONDE_TRACE_OUT: out },
  })
  assert.is(r.status, 0, r.stderr)
  const res = JSON.parse(r.stdout.trim()) as { total: number; count: number; where: string }
  assert.is(res.total, 650)
  assert.is(res.count, 2)
  assert.match(res.where, /main\.ts:27:/)
  const p = importFromSondeTrace(fs.readFileSync(out, 'utf8'), out)!
  const frame = (name: string) => p.frames.frames.find((f) => f.name === name)!
  assert.is(frame('square').file, src)
  assert.is(frame('square').line, 9)
  assert.is(frame('Geometry.add').line, 16)
  assert.is(frame('get Geometry.count').line, 21)
  assert.is(frame('explode').line, 26)
  const g = deriveCallGraph(p)
  assert.is(g.nodes.find((n) => n.name === 'square')!.calls, 13)
  assert.is(g.nodes.find((n) => n.name === 'Geometry.add')!.calls, 2)
})

test.after(() => fs.rmSync(tmp, { recursive: true, force: true }))
test.run()
