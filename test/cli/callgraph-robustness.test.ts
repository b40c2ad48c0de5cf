// Hostile renderer inputs through the built CLI: each is a one-line exit 2 naming file and
// line, or a rendered graph, never a crash (exit 1, stack overflow, a WebAssembly trap):
// 100 000 nested lists in an fprof file, \x{110000}, counts and times beyond 2^53 or not
// finite (folded, cpuprofile), empty frame names laid out by Graphviz-WASM, and JSON errors
// V8 reports without a position.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const root = join(__dirname, '..', '..')
const tmp = mkdtempSync(join(tmpdir(), 'sonde-cg-robust-'))

function sonde(...args: string[]) {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'sonde.js'), ...args], { cwd: tmp, encoding: 'utf8', timeout: 120_000 })
  return { code: r.status, out: r.stdout, err: r.stderr }
}

function exit2(file: string, text: string, re: RegExp): void {
  writeFileSync(join(tmp, file), text)
  const r = sonde('callgraph', file, '-o', 'out.svg')
  assert.is(r.code, 2, r.err.slice(0, 500))
  const lines = r.err.trimEnd().split('\n')
  assert.is(lines.length, 1, `one line: ${r.err.slice(0, 500)}`)
  assert.ok(lines[0].length < 300, `a short line: ${lines[0].slice(0, 300)}`)
  assert.match(lines[0], re)
}

const FPROF_HEAD = '%% Analysis results:\n{  analysis_options,\n [{callers, true},\n  {sort, acc},\n  {totals, false},\n  {details, true}]}.\n\n'

test('fprof: 100 000 nested lists are read without recursion: exit 2, one line, file and line', () => {
  exit2('deep.fprof', FPROF_HEAD + '['.repeat(100_000) + ']'.repeat(100_000) + '.\n', /^sonde callgraph: deep\.fprof:8: .*\[\[\[\[/)
  exit2('open.fprof', FPROF_HEAD + '['.repeat(100_000) + '\n', /^sonde callgraph: open\.fprof:\d+: unexpected end of input/)
})

test('fprof: \\x{110000} is a syntax error, not "Invalid code point"', () => {
  exit2('cp.fprof', FPROF_HEAD + "[{ totals, 1, 1.0, 1.0}].\n{ {'a\\x{110000}', 1, 1.0, 1.0}, [], [] }.\n",
    /^sonde callgraph: cp\.fprof:9: bad \\x escape: \\x\{110000\} is above the last code point/)
})

test('numbers beyond 2^53 or not finite: exit 2 naming file, line and field', () => {
  exit2('big.folded', 'main;a 3\nmain;b ' + '9'.repeat(400) + '\n', /^sonde callgraph: big\.folded: folded: line 2: count "9{19}…" is out of range \(0 to 2\^53\)$/)
  const node = (id: number, name: string, hit: string, kids: number[]) =>
    `{"id":${id},"callFrame":{"functionName":"${name}","scriptId":"1","url":"a.js","lineNumber":1,"columnNumber":1},"hitCount":${hit},"children":[${kids}]}`
  const profile = (hit: string, deltas: string) => `{"nodes":[\n${node(1, '(root)', '0', [2])},\n${node(2, 'f', hit, [])}\n],\n"startTime":0,"endTime":10,\n"samples":[2,2],\n"timeDeltas":[${deltas}]}`
  exit2('hit.cpuprofile', profile('1e308', '1,1'), /^sonde callgraph: hit\.cpuprofile:3: node 2 hitCount 1e\+308 is out of range/)
  exit2('delta.cpuprofile', profile('1', '1,1e308'), /^sonde callgraph: delta\.cpuprofile:7: timeDeltas\[1\] 1e\+308 is out of range \(-2\^53 to 2\^53\)$/)
  exit2('inf.cpuprofile', profile('1e400', '1,1'), /^sonde callgraph: inf\.cpuprofile:3: node 2 hitCount Infinity is out of range/)
})

test('empty frame names (";a;;b; 3"): Graphviz-WASM lays the graph out', () => {
  writeFileSync(join(tmp, 'empty.folded'), ';a;;b; 3\nmain;a 2\n;; 1\n')
  const r = sonde('callgraph', 'empty.folded', '-o', 'empty.svg')
  assert.is(r.code, 0, r.err)
  const svg = readFileSync(join(tmp, 'empty.svg'), 'utf8')
  assert.match(svg, /<svg/)
  assert.match(svg, /\(empty name\)/)
})

test('JSON errors without a position keep their own words, not "truncated"', () => {
  exit2('tok.cpuprofile', '{"nodes": [\n  {"id": 1, "hitCount": x}\n]}\n', /^sonde callgraph: tok\.cpuprofile: invalid JSON: Unexpected token 'x'$/)
  exit2('cut.cpuprofile', '{"nodes": [\n  {"id": 1, "hitCount": 1', /^sonde callgraph: cut\.cpuprofile:2: truncated JSON/)
})

test.after(() => rmSync(tmp, { recursive: true, force: true }))
test.run()
