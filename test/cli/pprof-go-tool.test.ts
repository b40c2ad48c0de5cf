// pprof against the reference tool, Go's `go tool pprof`. Out: for V8 CPU and heap profiles,
// perf script and folded stacks written with `sonde callgraph -o x.pb.gz`, `go tool pprof -top`
// shows each function with the flat and cum that `sonde callgraph` shows as OWN and ACC
// (functions whose name is unique in the profile: pprof groups by name and file). In: a real
// Go CPU profile (test/fixtures/go/burn.go, with inlined frames and a mapping) reads in sonde
// with go tool pprof's flat and cum for every function.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { execFileSync, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { missing } from '../support/system'

const skip = missing('go')
const root = path.join(__dirname, '..', '..')
const bin = path.join(root, 'bin', 'sonde.js')
const tmp = fs.mkdtempSync(path.join(tmpdir(), 'sonde-gopprof-'))

/** name → [self, total] from sonde callgraph's JSON, for names that occur once. */
function sondeFigures(input: string): Map<string, [number, number]> {
  const r = spawnSync(process.execPath, [bin, 'callgraph', input, '--output', 'json', '-n', '0', '-e', '0', '--budget', '0'], { encoding: 'utf8', timeout: 120_000 })
  assert.is(r.status, 0, r.stderr)
  const nodes = (JSON.parse(r.stdout) as { nodes: { name: string; self: number; total: number }[] }).nodes
  const count = new Map<string, number>()
  for (const n of nodes) count.set(n.name, (count.get(n.name) ?? 0) + 1)
  return new Map(nodes.filter((n) => count.get(n.name) === 1).map((n) => [n.name, [n.self, n.total]]))
}

/** name → [flat, cum] from `go tool pprof -top`, in the unit asked for. */
function goFigures(file: string, unit: string): Map<string, [number, number]> {
  const out = execFileSync('go', ['tool', 'pprof', '-top', '-nodecount=1000000', '-nodefraction=0', '-edgefraction=0', `-unit=${unit}`, file], { encoding: 'utf8', env: { ...process.env, PPROF_TMPDIR: tmp }, stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 })
  const rows = new Map<string, [number, number]>()
  for (const line of out.split('\n')) {
    const m = /^\s*([\d.]+)[a-zA-Z]*\s+[\d.]+%\s+[\d.]+%\s+([\d.]+)[a-zA-Z]*\s+[\d.]+%\s+(.+?)( \(inline\))?$/.exec(line)
    if (m) rows.set(m[3], [Number(m[1]), Number(m[2])])
  }
  return rows
}

const CASES: [string, string, number][] = [
  // fixture, pprof -unit, sonde unit → pprof unit factor
  ['node/selfgen_node20_cpu-prof.cpuprofile', 'ns', 1000],
  ['node/selfgen_node20_heap-prof.heapprofile', 'B', 1],
  ['perf/node20_worker_default.perf', 'minimum', 1],
  ['stackcollapse/recursion.txt', 'minimum', 1],
]

for (const [rel, unit, factor] of CASES) {
  test(`go tool pprof reads sonde's pprof of ${path.basename(rel)} with sonde's OWN and ACC`, () => {
    if (skip) { console.log(`skip: ${skip}`); return }
    const input = path.join(root, 'test/fixtures', rel)
    const pb = path.join(tmp, path.basename(rel) + '.pb.gz')
    const r = spawnSync(process.execPath, [bin, 'callgraph', input, '-o', pb], { encoding: 'utf8' })
    assert.is(r.status, 0, r.stderr)
    const want = sondeFigures(input)
    const got = goFigures(pb, unit)
    let compared = 0
    for (const [name, [self, total]] of want) {
      const g = got.get(name)
      if (!g) continue
      assert.equal(g, [self * factor, total * factor], name)
      compared++
    }
    assert.ok(compared >= Math.min(3, want.size) && compared >= want.size / 2, `${compared} of ${want.size} functions compared`)
  })
}

test('a real Go CPU profile (inlined frames, a mapping): sonde shows go tool pprof\'s flat and cum', () => {
  if (skip) { console.log(`skip: ${skip}`); return }
  const env = { ...process.env, GO111MODULE: 'off', ...(process.env.HOME ? {} : { GOCACHE: path.join(tmp, 'gocache') }) }
  const exe = path.join(tmp, 'burn')
  execFileSync('go', ['build', '-o', exe, path.join(root, 'test/fixtures/go/burn.go')], { env, stdio: 'pipe', timeout: 300_000 })
  const prof = path.join(tmp, 'go-cpu.pprof')
  execFileSync(exe, [prof], { stdio: 'pipe', timeout: 300_000 })
  const got = goFigures(prof, 'ns')
  const want = sondeFigures(prof)
  assert.ok(got.has('main.alpha') && got.has('main.beta'), [...got.keys()].join(', '))
  for (const [name, figures] of got) assert.equal(want.get(name), figures, name)
  assert.is(want.size, got.size, [...want.keys()].join(', '))
  if (got.has('main.mix')) {
    // Inlined: mix is a frame of its own, called from where it was inlined.
    const r = spawnSync(process.execPath, [bin, 'callgraph', prof, '--output', 'json', '-n', '0', '-e', '0', '--budget', '0'], { encoding: 'utf8' })
    const g = JSON.parse(r.stdout) as { nodes: { id: number; name: string }[]; edges: { caller: number; callee: number }[] }
    const id = (n: string) => g.nodes.find((x) => x.name === n)?.id
    assert.ok(g.edges.some((e) => e.callee === id('main.mix') && (e.caller === id('main.work') || e.caller === id('main.beta'))), 'mix called from work or beta')
  }
})

test.after(() => fs.rmSync(tmp, { recursive: true, force: true }))
test.run()
