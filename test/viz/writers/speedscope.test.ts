// speedscope out: every stack format sonde reads writes a file of speedscope's schema shape
// (https://www.speedscope.app/file-format-schema.json: required fields and types, frame
// indices in range, one weight per sample) whose weights sum to the profile's total; V8 CPU
// profiles keep their samples in time order (sample i's leaf is the cpuprofile's sample i);
// exact graphs have no stacks and are refused.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { importProfileFile } from '../../../viz/importers'
import { OptionError } from '../../../viz/model/profile'
import { deriveCallGraph } from '../../../viz/graph/derive'
import { toSpeedscope } from '../../../viz/writers/speedscope'

const root = path.resolve(__dirname, '../../..')
const UNITS = ['none', 'nanoseconds', 'microseconds', 'milliseconds', 'seconds', 'bytes']

/** Checks `doc` against the schema's shape; returns the sum of weights per profile. */
function validate(doc: unknown): number[] {
  const f = doc as Record<string, unknown>
  assert.is(f.$schema, 'https://www.speedscope.app/file-format-schema.json')
  const shared = f.shared as { frames: unknown[] }
  assert.ok(Array.isArray(shared?.frames), 'shared.frames is an array')
  for (const fr of shared.frames as Record<string, unknown>[]) {
    assert.type(fr.name, 'string')
    for (const k of Object.keys(fr)) assert.ok(['name', 'file', 'line', 'col'].includes(k), `frame key ${k}`)
    if ('file' in fr) assert.type(fr.file, 'string')
    for (const k of ['line', 'col']) if (k in fr) assert.ok(Number.isInteger(fr[k]), `${k} is an integer`)
  }
  assert.ok(Array.isArray(f.profiles) && (f.profiles as unknown[]).length > 0, 'profiles')
  if ('activeProfileIndex' in f) assert.ok((f.activeProfileIndex as number) < (f.profiles as unknown[]).length)
  if ('name' in f) assert.type(f.name, 'string')
  return (f.profiles as Record<string, unknown>[]).map((p) => {
    assert.is(p.type, 'sampled')
    assert.type(p.name, 'string')
    assert.ok(UNITS.includes(p.unit as string), `unit ${String(p.unit)}`)
    assert.type(p.startValue, 'number')
    assert.ok((p.endValue as number) >= (p.startValue as number), 'endValue ≥ startValue')
    const samples = p.samples as number[][], weights = p.weights as number[]
    assert.is(samples.length, weights.length, 'one weight per sample')
    for (const s of samples) for (const i of s) assert.ok(Number.isInteger(i) && i >= 0 && i < shared.frames.length, `frame index ${i} in range`)
    const sum = weights.reduce((a, w) => a + w, 0)
    assert.is(p.endValue as number - (p.startValue as number), sum)
    return sum
  })
}

const FIXTURES = [
  'test/fixtures/node/selfgen_node20_cpu-prof.cpuprofile',
  'test/fixtures/chrome/Chrome_65_simple.cpuprofile',
  'test/fixtures/node/selfgen_node20_heap-prof.heapprofile',
  'test/fixtures/stackcollapse/recursion.txt',
  'test/fixtures/perf/node20_worker_default.perf',
  'test/fixtures/bpftrace/node20_ustack_fib.txt',
  'test/fixtures/gprof2dot/handmade_modules.json',
]

for (const rel of FIXTURES) {
  test(`${path.basename(rel)}: schema shape, weights sum to the profile's total`, async () => {
    const p = await importProfileFile(path.join(root, rel))
    const sums = validate(JSON.parse(toSpeedscope(p)))
    assert.is(sums.length, p.threads.filter((t) => t.tree).length, 'one profile per thread')
    const total = sums.reduce((a, b) => a + b, 0)
    assert.ok(Math.abs(total - deriveCallGraph(p, {}).total) <= 1e-9 * total, `${total} vs the call graph's total`)
  })
}

test('folded: the weights sum is the sum of the file\'s counts', async () => {
  const file = path.join(root, 'test/fixtures/stackcollapse/recursion.txt')
  const counts = fs.readFileSync(file, 'utf8').split('\n').filter(Boolean).reduce((s, l) => s + Number(l.slice(l.lastIndexOf(' ') + 1)), 0)
  assert.equal(validate(JSON.parse(toSpeedscope(await importProfileFile(file)))), [counts])
})

test('cpuprofile: samples in time order, sample i\'s leaf is the cpuprofile\'s sample i', async () => {
  const file = path.join(root, 'test/fixtures/node/selfgen_node20_cpu-prof.cpuprofile')
  const json = JSON.parse(fs.readFileSync(file, 'utf8')) as { nodes: { id: number; callFrame: { functionName: string } }[]; samples: number[] }
  const doc = JSON.parse(toSpeedscope(await importProfileFile(file))) as { shared: { frames: { name: string }[] }; profiles: { samples: number[][] }[] }
  const names = new Map(json.nodes.map((n) => [n.id, n.callFrame.functionName || '(anonymous)']))
  const leaves = doc.profiles[0].samples.map((s) => (s.length ? doc.shared.frames[s[s.length - 1]].name : '(root)'))
  assert.equal(leaves, json.samples.map((id) => names.get(id)))
})

test('sonde trace: running slices in time order (a, b, a, c, a as the app runs them; the tree has a, b, c once)', async () => {
  const dir = fs.mkdtempSync(path.join(tmpdir(), 'sonde-ss-trace-'))
  fs.writeFileSync(path.join(dir, 'app.js'), [
    "'use strict'",
    'function spinA() { const end = Date.now() + 3; let x = 0; while (Date.now() < end) x++; return x }',
    'function spinB() { const end = Date.now() + 3; let x = 0; while (Date.now() < end) x++; return x }',
    'function spinC() { const end = Date.now() + 3; let x = 0; while (Date.now() < end) x++; return x }',
    'spinA(); spinB(); spinA(); spinC(); spinA()',
  ].join('\n'))
  const trace = path.join(dir, 'run.trace')
  const r = spawnSync(process.execPath, [path.join(root, 'bin/sonde.js'), 'run', '--trace-functions', 'app.*', '--trace-out', trace, '--', 'node', 'app.js'], { cwd: dir, encoding: 'utf8', timeout: 120_000 })
  assert.is(r.status, 0, r.stderr)
  const p = await importProfileFile(trace)
  const doc = JSON.parse(toSpeedscope(p)) as { shared: { frames: { name: string }[] }; profiles: { unit: string; samples: number[][]; weights: number[] }[] }
  const sums = validate(doc)
  assert.is(doc.profiles[0].unit, 'nanoseconds')
  const leaves = doc.profiles[0].samples.map((s) => doc.shared.frames[s[s.length - 1]].name)
  assert.equal(leaves, ['spinA', 'spinB', 'spinA', 'spinC', 'spinA'])
  // Running time only: every OWN of the trace but `suspend` (awaiting is not running).
  const tree = p.threads[0].tree!
  let running = 0
  for (let v = 1; v < tree.size; v++) if (p.frames.get(tree.frame[v]).name !== 'suspend') running += tree.self[v]
  assert.is(sums[0], running)
  fs.rmSync(dir, { recursive: true })
})

test('exact graphs have no stacks: an OptionError; the CLI writes .speedscope.json', async () => {
  const fprof = await importProfileFile(path.join(root, 'test/fixtures/fprof/fib.default.analysis'))
  assert.throws(() => toSpeedscope(fprof), (e: unknown) => e instanceof OptionError && /speedscope: the profile has no stacks/.test((e as Error).message))
  const out = path.join(fs.mkdtempSync(path.join(tmpdir(), 'sonde-ss-')), 'a.speedscope.json')
  const r = spawnSync(process.execPath, [path.join(root, 'bin/sonde.js'), 'callgraph', path.join(root, FIXTURES[4]), '-o', out], { encoding: 'utf8' })
  assert.is(r.status, 0, r.stderr)
  assert.is(validate(JSON.parse(fs.readFileSync(out, 'utf8'))).length, 2, 'perf: one profile per pid/tid')
  fs.rmSync(path.dirname(out), { recursive: true })
})

test.run()
