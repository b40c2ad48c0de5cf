// `sonde callgraph` on malformed perf script, DTrace, bpftrace and folded input: exit 2,
// one line naming the format and the line; -f short names; --help lists the formats.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const root = join(__dirname, '..', '..')
const bin = join(root, 'bin', 'sonde.js')
const tmp = mkdtempSync(join(tmpdir(), 'sonde-cg-fmt-'))

function sonde(...args: string[]) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: tmp, encoding: 'utf8', timeout: 120_000 })
  return { code: r.status, out: r.stdout, err: r.stderr }
}

function exit2(file: string, content: string, args: string[], re: RegExp): void {
  writeFileSync(join(tmp, file), content)
  const r = sonde('callgraph', file, ...args)
  assert.is(r.code, 2, r.err)
  const lines = r.err.trimEnd().split('\n')
  assert.is(lines.length, 1, r.err)
  assert.match(lines[0], re)
}

const PERF = 'prog 18586 cpu-clock: \n\t            11c7 leaf_mul (/tmp/prog)\n\t            1207 fib (/tmp/prog)\n\n'

test('perf script: a bad line inside a sample, a stray line, a foreign first line under -f perf', () => {
  exit2('a.perf', PERF + 'prog 18586 cpu-clock: \n\t  11c7 leaf_mul (/tmp/prog)\n\tthis is not a frame\n', [],
    /^sonde callgraph: a\.perf: perf script: line 7: expected a frame or a blank line, got "this is not a frame"$/)
  exit2('b.perf', PERF + 'garbage\n', [], /^sonde callgraph: b\.perf: perf script: line 5: expected a sample header or a frame, got "garbage"$/)
  exit2('c.txt', 'hello world\n', ['-f', 'perf'], /^sonde callgraph: c\.txt: perf script: line 1: expected a sample header/)
})

test('DTrace: a stack without its count, a line that is neither frame nor count', () => {
  const D = 'CPU     ID                    FUNCTION:NAME\n  1  85636                         :tick-5s \n\n              prog`main+0x1d\n               3\n'
  exit2('a.dtrace', D + '\n              prog`fib+0x27\n', [], /^sonde callgraph: a\.dtrace: DTrace: input ends inside a stack/)
  exit2('b.dtrace', D + '\n              prog`fib+0x27\nprog`main+0x1d\n', [], /^sonde callgraph: b\.dtrace: DTrace: line 8: expected an indented frame or a count, got "prog`main\+0x1d"$/)
  exit2('big.dtrace', D + '\n              prog`fib+0x27\n  ' + '9'.repeat(30) + '\n', [], /^sonde callgraph: big\.dtrace: DTrace: line 8: count "9{19}…" is out of range \(0 to 2\^53\)$/)
  exit2('c.txt', 'hello\n', ['-f', 'dtrace'], /^sonde callgraph: c\.txt: DTrace: line 1: expected an indented frame or a count, got "hello"$/)
})

test('bpftrace and folded: format and line in the message; -f short names', () => {
  exit2('a.bt', 'Attaching 1 probe...\n\n@[\n    f+1\n]: many\n', [], /^sonde callgraph: a\.bt: bpftrace: line 5: bad count "many"$/)
  exit2('b.txt', 'a;b 3\na;c x\n', ['-f', 'collapse'], /^sonde callgraph: b\.txt: folded: line 2: bad count "x"$/)
  exit2('c.txt', 'a;b 3\n', ['-f', 'nosuch'], /unknown format "nosuch" \(known: .*perf-script \(perf/)
  writeFileSync(join(tmp, 'ok.perf'), PERF)
  for (const f of ['perf', 'perf-script', 'PERF']) assert.is(sonde('callgraph', 'ok.perf', '-f', f, '--output', 'txt').code, 0, f)
})

test('--help lists every format with its short names', () => {
  const r = sonde('callgraph', '--help')
  assert.is(r.code, 0)
  for (const s of ['perf-script (perf', 'dtrace', 'folded (collapse', 'bpftrace', 'callgrind', '--lines']) assert.ok(r.out.includes(s), s)
})

test.after(() => rmSync(tmp, { recursive: true, force: true }))
test.run()
