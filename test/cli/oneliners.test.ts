// `sonde oneliners` and `sonde trace` through the real CLI (bin/sonde.js on dist/): the
// library prints ≥ 20 commands with this install's addon path; bad input exits 2 with one
// line (unknown name, dead PID, non-Node PID, missing --pid).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { addonPath, oneLiners } from '../../probes/oneliners/index'

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
