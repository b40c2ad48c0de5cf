// `sonde oneliners` and `sonde trace` through the real CLI (bin/sonde.js on dist/): the
// library prints ≥ 20 commands with this install's addon path; bad input exits 2 with one
// line (unknown name, dead PID, non-Node PID, missing --pid).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { addonPath, bpftraceEnv, findOneLiner, oneLiners, readOneLinerFile, programOf } from '../../bpftrace/oneliners/index'

const root = path.resolve(__dirname, '..', '..')
const sonde = (...args: string[]) => spawnSync(process.execPath, [path.join(root, 'bin', 'sonde.js'), ...args], { encoding: 'utf8', timeout: 30_000 })

function exit2OneLine(r: ReturnType<typeof sonde>, re: RegExp): void {
  assert.is(r.status, 2, r.stderr)
  const lines = r.stderr.trim().split('\n')
  assert.is(lines.length, 1, r.stderr)
  assert.match(lines[0], re)
}

test('the library has ≥ 20 one-liners, each printed with the addon path filled in', () => {
  const r = sonde('oneliners', '--json')
  assert.is(r.status, 0, r.stderr)
  const list = JSON.parse(r.stdout) as { name: string; command: string; program: string; dtrace: string | null }[]
  assert.ok(list.length >= 20)
  assert.is(list.length, oneLiners.length)
  for (const o of list) {
    assert.not.match(o.command, /SONDE_ADDON|SONDE_DYN|SONDE_PROVIDER/)
    if (o.program.includes('usdt:/')) assert.ok(o.program.includes(addonPath) || o.program.includes('sonde_dyn.node'), o.name)
    if (o.dtrace) assert.not.match(o.dtrace, /__/, `${o.name}: DTrace names use -`)
  }
  assert.ok(list.filter((o) => o.dtrace).length >= 15)
})

test('one NAME with --pid: header, PID in -p and as $1', () => {
  const r = sonde('oneliners', 'offcpu-main', '--pid', String(process.pid))
  assert.is(r.status, 0, r.stderr)
  assert.match(r.stdout, /# offcpu-main/)
  assert.match(r.stdout, /Overhead:/)
  assert.ok(r.stdout.includes(`bpftrace -p ${process.pid} -e '`))
  assert.ok(r.stdout.trimEnd().endsWith(`' ${process.pid}`), 'PID passed as $1')
})

test('stack one-liners run with bpftrace\'s user-symbol cache, and only when every probe is filtered to one PID', () => {
  // Without the cache bpftrace 0.17 re-reads node's symbols per frame (10 s for the first
  // print); with it, 0.17 shares one process's symbols among all processes of the binary.
  const stacks = oneLiners.filter((o) => /\b(ustack|usym|uaddr)\b/.test(programOf(readOneLinerFile(o))))
  assert.ok(stacks.some((o) => o.name === 'loop-lag-stacks'))
  for (const o of oneLiners) {
    const cached = o.env?.BPFTRACE_CACHE_USER_SYMBOLS === '1'
    assert.is(cached, stacks.includes(o), `${o.name}: cache iff it resolves user symbols`)
    if (!cached) continue
    assert.ok(o.needsPid, o.name)
    const clauses = programOf(readOneLinerFile(o)).split(/\n(?=[a-z])/i).filter((c) => !/^(BEGIN|END)\b/.test(c))
    assert.ok(clauses.length >= 2, `${o.name}: ${clauses.length} probe clauses`)
    for (const clause of clauses) assert.match(clause.split('{')[0], /\/.*pid == \$1.*\//, `${o.name}: every probe filtered to $1`)
  }
  const o = findOneLiner('loop-lag-stacks')!
  assert.is(bpftraceEnv(o, {}).BPFTRACE_CACHE_USER_SYMBOLS, '1')
  assert.is(bpftraceEnv(o, { BPFTRACE_CACHE_USER_SYMBOLS: '0' }).BPFTRACE_CACHE_USER_SYMBOLS, '0', 'the caller\'s own setting wins')
  const r = sonde('oneliners', 'loop-lag-stacks', '--pid', String(process.pid))
  assert.is(r.status, 0, r.stderr)
  assert.ok(r.stdout.includes(`BPFTRACE_CACHE_USER_SYMBOLS=1 bpftrace -p ${process.pid} -e '`), r.stdout.slice(-300))
  const any = sonde('oneliners', 'loop-lag-stacks')
  assert.match(any.stdout, /P=\$\(pgrep -n -u "\$\(id -u\)" -x node\); BPFTRACE_CACHE_USER_SYMBOLS=1 bpftrace -p "\$P"/)
})

test('bad input: exit 2, one line', () => {
  exit2OneLine(sonde('oneliners', 'no-such-thing'), /unknown one-liner 'no-such-thing'/)
  exit2OneLine(sonde('trace', 'no-such-thing', '--pid', String(process.pid)), /unknown one-liner/)
  exit2OneLine(sonde('trace', 'msg-latency', '--pid', '999999999'), /does not exist/)
  exit2OneLine(sonde('trace', 'msg-latency', '--pid', '1'), /not a Node.js process/)
  exit2OneLine(sonde('trace', 'msg-latency'), /--pid PID is required/)
  exit2OneLine(sonde('trace', 'msg-latency', '--pid', 'abc'), /not a process id/)
  exit2OneLine(sonde('trace', 'msg-latency', '--pid', String(process.pid), '--duration', '-1'), /--duration/)
  // this test process runs without sonde's register: its probes are not loaded
  exit2OneLine(sonde('trace', 'msg-latency', '--pid', String(process.pid)), /no sonde probes loaded.*sonde attach/)
})

test.run()
