// pprof through the CLI: a real `node --cpu-prof` run written as pprof by this test's own
// converter (pprof-format's encoder) reads back with the cpuprofile's per-function figures;
// `sonde callgraph -o x.pb.gz` / `.pb` / `--output pprof` round-trip to the same self and
// total; corrupt pprof is one line naming the format, exit 2.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { gzipSync } from 'node:zlib'
import { Function as PFunction, Line, Location, Profile as PProfile, Sample, StringTable, ValueType } from 'pprof-format'

const root = path.join(__dirname, '..', '..')
const bin = path.join(root, 'bin', 'sonde.js')
const tmp = fs.mkdtempSync(path.join(tmpdir(), 'sonde-cg-pprof-'))

function run(args: string[], opts: { cwd?: string } = {}) {
  const r = spawnSync(process.execPath, args, { cwd: opts.cwd ?? tmp, encoding: 'buffer', timeout: 120_000 })
  return { code: r.status, out: r.stdout, err: r.stderr.toString('utf8') }
}

/** Per function (name@file:line): [self, total] from `sonde callgraph --output json` with nothing pruned. */
function figures(input: string, extra: string[] = [], scale = 1): Map<string, [number, number]> {
  const r = run([bin, 'callgraph', input, '--output', 'json', '-n', '0', '-e', '0', '--budget', '0', ...extra])
  assert.is(r.code, 0, r.err)
  const g = JSON.parse(r.out.toString('utf8')) as { nodes: { name: string; file?: string; line?: number; self: number; total: number }[] }
  const out = new Map<string, [number, number]>()
  for (const n of g.nodes) out.set(`${n.name}@${n.file ?? ''}:${n.line ?? ''}`, [n.self * scale, n.total * scale])
  return out
}

// Three functions with calibrated shares of busy time (60 / 30 / 10 ms per round).
const PROGRAM = `'use strict'
function spin(ms) { const end = Date.now() + ms; let x = 0; while (Date.now() < end) x++; return x }
function alpha() { return spin(60) }
function beta() { return spin(30) }
function gamma() { return spin(10) }
for (let i = 0; i < 4; i++) { alpha(); beta(); gamma() }
`

interface CallFrame { functionName: string; url: string; lineNumber: number; columnNumber: number }
interface CpuProfile { nodes: { id: number; callFrame: CallFrame; children?: number[] }[]; samples: number[]; timeDeltas: number[]; startTime: number; endTime: number }

/** This test's own cpuprofile → pprof: one location per node, stacks by parent links, each
 * sample weighing the time to the next (the last: to endTime), as DevTools weighs them. */
function cpuprofileToPprof(p: CpuProfile): Buffer {
  const st = new StringTable()
  const parent = new Map<number, number>()
  for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  const byId = new Map(p.nodes.map((n) => [n.id, n]))
  const fnIds = new Map<string, number>()
  const functions: PFunction[] = [], locations: Location[] = []
  for (const n of p.nodes) {
    const cf = n.callFrame
    const key = `${cf.functionName}|${cf.url}|${cf.lineNumber}|${cf.columnNumber}`
    let fid = fnIds.get(key)
    if (fid === undefined) {
      fid = functions.length + 1
      fnIds.set(key, fid)
      functions.push(new PFunction({ id: fid, name: st.dedup(cf.functionName || '(anonymous)'), filename: st.dedup(cf.url), startLine: cf.lineNumber + 1 }))
    }
    locations.push(new Location({ id: n.id, line: [new Line({ functionId: fid, line: cf.lineNumber + 1, column: cf.columnNumber + 1 })] }))
  }
  const times: number[] = []
  let t = p.startTime
  for (const d of p.timeDeltas) times.push((t += d))
  const samples = p.samples.map((leaf, i) => {
    const w = Math.max(0, (i + 1 < times.length ? times[i + 1] : p.endTime) - times[i])
    const stack: number[] = []
    for (let n: number | undefined = leaf; n !== undefined && byId.get(n)!.callFrame.functionName !== '(root)'; n = parent.get(n)) stack.push(n)
    return new Sample({ locationId: stack, value: [1, w * 1000] })
  })
  const sampleType = [new ValueType({ type: st.dedup('samples'), unit: st.dedup('count') }), new ValueType({ type: st.dedup('cpu'), unit: st.dedup('nanoseconds') })]
  return gzipSync(new PProfile({ sampleType, sample: samples, location: locations, function: functions, stringTable: st }).encode())
}

test('a real node --cpu-prof run, written as pprof by pprof-format: sonde reads the same per-function figures', () => {
  fs.writeFileSync(path.join(tmp, 'calibrated.js'), PROGRAM)
  const r = run(['--cpu-prof', '--cpu-prof-dir', path.join(tmp, 'prof'), 'calibrated.js'])
  assert.is(r.code, 0, r.err)
  const cpuFile = path.join(tmp, 'prof', fs.readdirSync(path.join(tmp, 'prof'))[0])
  const cpu = JSON.parse(fs.readFileSync(cpuFile, 'utf8')) as CpuProfile
  fs.writeFileSync(path.join(tmp, 'real.pb.gz'), cpuprofileToPprof(cpu))
  const fromCpu = figures(cpuFile, [], 1000)
  const fromPprof = figures('real.pb.gz')
  assert.equal(fromPprof, fromCpu)
  for (const f of ['alpha', 'beta', 'gamma', 'spin']) assert.ok([...fromPprof.keys()].some((k) => k.startsWith(f + '@')), `${f} in the profile`)
  // samples/count: a function's OWN is the number of samples whose leaf it is.
  const leafCount = new Map<string, number>()
  const byId = new Map(cpu.nodes.map((n) => [n.id, n.callFrame]))
  for (const id of cpu.samples) { const cf = byId.get(id)!; if (cf.functionName === 'spin') leafCount.set('spin', (leafCount.get('spin') ?? 0) + 1) }
  const counted = figures('real.pb.gz', ['--metric', 'samples'])
  const spin = [...counted].find(([k]) => k.startsWith('spin@'))!
  assert.is(spin[1][0], leafCount.get('spin'))
})

test('callgraph -o x.pb.gz, -o x.pb, --output pprof: each reads back with the cpuprofile\'s self and total', () => {
  const cpuFile = path.join(root, 'test/fixtures/node/selfgen_node20_cpu-prof.cpuprofile')
  const want = figures(cpuFile, [], 1000)
  assert.is(run([bin, 'callgraph', cpuFile, '-o', 'x.pb.gz']).code, 0)
  assert.is(run([bin, 'callgraph', cpuFile, '-o', 'x.pb']).code, 0)
  const piped = run([bin, 'callgraph', cpuFile, '--output', 'pprof'])
  assert.equal([...fs.readFileSync(path.join(tmp, 'x.pb.gz')).subarray(0, 2)], [0x1f, 0x8b])
  assert.is(fs.readFileSync(path.join(tmp, 'x.pb'))[0], 0x0a, '.pb is the raw message (field 1, sample_type)')
  assert.equal([...piped.out.subarray(0, 2)], [0x1f, 0x8b])
  fs.writeFileSync(path.join(tmp, 'piped.pprof'), piped.out)
  for (const f of ['x.pb.gz', 'x.pb', 'piped.pprof']) assert.equal(figures(f), want, f)
  const flame = run([bin, 'flame', 'x.pb.gz', '-o', 'x.svg'])
  assert.is(flame.code, 0, flame.err)
  assert.match(fs.readFileSync(path.join(tmp, 'x.svg'), 'utf8'), /^<svg /)
})

test('a sonde function trace → pprof: calls/count and time/nanoseconds, sums as the call graph\'s CNT and OWN', () => {
  const trace = path.join(tmp, 'run.trace')
  const app = path.join(root, 'test/fixtures/apps/tracer-cpu')
  const r = run([bin, 'run', '--trace-functions', 'app.*', '--trace-out', trace, '--', 'node', 'app.js'], { cwd: app })
  assert.is(r.code, 0, r.err)
  assert.is(run([bin, 'callgraph', trace, '-o', 'trace.pb']).code, 0)
  const p = PProfile.decode(fs.readFileSync(path.join(tmp, 'trace.pb')))
  const types = p.sampleType.map((t) => `${p.stringTable.strings[Number(t.type)]}/${p.stringTable.strings[Number(t.unit)]}`)
  assert.equal(types, ['calls/count', 'time/nanoseconds'])
  const sum = (k: number) => p.sample.reduce((s, x) => s + Number(x.value[k]), 0)
  const g = JSON.parse(run([bin, 'callgraph', trace, '--output', 'json', '-n', '0', '-e', '0', '--budget', '0']).out.toString('utf8')) as { nodes: { self: number; calls: number | null }[] }
  assert.is(sum(1), g.nodes.reduce((s, n) => s + n.self, 0))
  assert.is(sum(0), g.nodes.reduce((s, n) => s + (n.calls ?? 0), 0))
  assert.ok(sum(0) >= 1000, 'helper() alone is called 1000 times')
})

function oneLine(r: { code: number | null; err: string }, re: RegExp): void {
  assert.is(r.code, 2, r.err)
  assert.is(r.err.trimEnd().split('\n').length, 1, r.err)
  assert.match(r.err, re)
}

test('corrupt pprof: truncated gzip, not protobuf → one line naming pprof, exit 2 (callgraph and flame)', () => {
  const gz = fs.readFileSync(path.join(tmp, 'x.pb.gz'))
  fs.writeFileSync(path.join(tmp, 'cut.pb.gz'), gz.subarray(0, Math.floor(gz.length / 2)))
  fs.writeFileSync(path.join(tmp, 'text.pb'), 'main;work 10\n')
  oneLine(run([bin, 'callgraph', 'cut.pb.gz']), /^sonde callgraph: cut\.pb\.gz: pprof: corrupt or truncated gzip data/)
  oneLine(run([bin, 'flame', 'cut.pb.gz', '-o', 'y.svg']), /^sonde flame: cut\.pb\.gz: pprof: corrupt or truncated gzip data/)
  oneLine(run([bin, 'callgraph', '-f', 'pprof', 'text.pb']), /^sonde callgraph: text\.pb: pprof: not a protobuf Profile message/)
  oneLine(run([bin, 'callgraph', 'x.pb.gz', '--metric', 'bytes']), /pprof: no sample type measures bytes \(it has samples\/count, cpu\/nanoseconds\)/)
})

test.after(() => fs.rmSync(tmp, { recursive: true, force: true }))
test.run()
