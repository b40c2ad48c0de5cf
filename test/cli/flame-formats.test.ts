// `sonde flame` reads every format `sonde callgraph` reads: one input per registered format
// (fixtures, a pprof written by sonde, a sonde trace and a counted CPU profile from real
// `sonde run`s), each drawn with the same total as the call graph's; exact graphs (fprof,
// callgrind) are drawn from estimated stacks and say so. A format added to the registry
// without an input here fails the test.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { formats } from '../../viz/importers'

const root = path.join(__dirname, '..', '..')
const bin = path.join(root, 'bin', 'sonde.js')
const tmp = fs.mkdtempSync(path.join(tmpdir(), 'sonde-flame-fmt-'))
const fx = (rel: string) => path.join(root, 'test/fixtures', rel)

function sonde(args: string[], cwd = tmp) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8', timeout: 120_000 })
  assert.is(r.status, 0, `sonde ${args.join(' ')}: ${r.stderr}`)
  return r.stdout
}

const inputs: Record<string, () => string> = {
  'cpuprofile+counts': () => {
    const out = path.join(tmp, 'counts.cpuprofile')
    sonde(['run', '--cpu-profile', out, '--counts', '--', 'node', 'app.js'], fx('apps/tracer-cpu'))
    return out
  },
  cpuprofile: () => fx('node/selfgen_node20_cpu-prof.cpuprofile'),
  heapprofile: () => fx('node/selfgen_node20_heap-prof.heapprofile'),
  'sonde-trace': () => {
    const out = path.join(tmp, 'run.trace')
    sonde(['run', '--trace-functions', 'app.*', '--trace-out', out, '--', 'node', 'app.js'], fx('apps/tracer-cpu'))
    return out
  },
  'gprof2dot-json': () => fx('gprof2dot/handmade_modules.json'),
  fprof: () => fx('fprof/fib.default.analysis'),
  callgrind: () => fx('callgrind/prog.callgrind'),
  bpftrace: () => fx('bpftrace/node20_ustack_fib.txt'),
  'perf-script': () => fx('perf/node20_worker_default.perf'),
  dtrace: () => fx('dtrace/c_fib_ustack.dtrace'),
  folded: () => fx('stackcollapse/recursion.txt'),
  pprof: () => {
    const out = path.join(tmp, 'x.pb.gz')
    sonde(['callgraph', fx('node/selfgen_node20_cpu-prof.cpuprofile'), '-o', out])
    return out
  },
}
const EXACT = new Set(['fprof', 'callgrind'])

test('every registered format has an input here', () => {
  assert.equal(formats.map((f) => f.id).filter((id) => !(id in inputs)), [])
})

for (const f of formats) {
  test(`flame reads ${f.id} (named with -f), total as in the call graph`, () => {
    const make = inputs[f.id]
    if (!make) return
    const input = make()
    const svgFile = path.join(tmp, `${f.id}.svg`)
    sonde(['flame', input, '-f', f.id, '-o', svgFile])
    const svg = fs.readFileSync(svgFile, 'utf8')
    assert.match(svg, /^<svg [^>]*>/)
    const head = /<text x="[\d.]+" y="16"[^>]*>([^<]*)<\/text>/.exec(svg)![1]
    assert.is(EXACT.has(f.id), head.includes('(stacks estimated from the exact call graph)'), head)
    if (EXACT.has(f.id)) return
    // The flame's full width is the call graph's 100 % (its ΣOWN), as the text table prints it.
    const table = sonde(['callgraph', input, '-f', f.id, '--output', 'txt'])
    const whole = /100 % = (.*) \(/.exec(table)![1]
    assert.ok(head.endsWith(`— ${whole}`), `${head} vs ${whole}`)
  })
}

test.after(() => fs.rmSync(tmp, { recursive: true, force: true }))
test.run()
