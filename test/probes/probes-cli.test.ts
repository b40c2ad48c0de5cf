// `sonde probes`: the catalogue (text and --json), bad input (exit 2, one line), and --pid on a
// live child with static and dynamic probes, whose "enabled" flips while bpftrace is attached.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawn, spawnSync } from 'node:child_process'
import path from 'node:path'
import { staticProbes } from '../../probes/catalogue'
import { missing } from '../support/system'
import { startChild, type Child } from './dynamic-harness'
import { startBpftrace } from '../support/bpftrace'

const root = path.resolve(__dirname, '..', '..')
const sonde = (...args: string[]) => spawnSync(process.execPath, [path.join(root, 'bin', 'sonde.js'), 'probes', ...args], { encoding: 'utf8', timeout: 60000 })

test('--json lists exactly the catalogue with args, units, stability and a bpftrace line on the addon path', () => {
  const r = sonde('--json')
  assert.is(r.status, 0, r.stderr)
  const j = JSON.parse(r.stdout)
  assert.is(j.probes.length, staticProbes.length)
  j.probes.forEach((p: any, i: number) => {
    const s = staticProbes[i]
    assert.equal([p.provider, p.name, p.stability, p.args], [s.provider, s.name, s.stability, s.args])
    assert.ok(p.bpftrace.includes(`usdt:${j.addon.path}:${s.provider}:${s.name} {`), p.bpftrace)
  })
  assert.ok(j.probes.some((p: any) => p.name === 'dyn__fire'))
  assert.is(typeof j.addon.loaded, 'boolean')
  assert.is(typeof j.dynamic.ok, 'boolean')
})

test('text output: addon status, dynamic-provider status, one bpftrace line per probe', () => {
  const r = sonde()
  assert.is(r.status, 0, r.stderr)
  assert.match(r.stdout, /^addon: /)
  assert.match(r.stdout, /\ndynamic providers: (available \((memfd|file)\)|UNAVAILABLE: .+)\n/)
  assert.is((r.stdout.match(/^ {2}bpftrace -p PID -e 'usdt:/gm) || []).length, staticProbes.length)
  assert.match(r.stdout, /arg2 duration_ns: u64 \(ns\)/)
})

test('addon or dynamic loader missing: sonde probes says so and why', () => {
  const r = spawnSync(process.execPath, [path.join(root, 'bin', 'sonde.js'), 'probes'], {
    encoding: 'utf8', timeout: 60000, env: { ...process.env, SONDE_ADDON_PATH: '/nonexistent/sonde.node', SONDE_DYN_ADDON: '/nonexistent/sonde_dyn.node' },
  })
  assert.is(r.status, 0, r.stderr)
  assert.match(r.stdout, /^addon: NOT LOADED \(\/nonexistent\/sonde\.node\): not built: .* — probes are no-op stubs\n/)
  assert.match(r.stdout, /\ndynamic providers: UNAVAILABLE: native loader \/nonexistent\/sonde_dyn\.node could not load: /)
})

test('bad input: exit 2 with one line', () => {
  const dead = sonde('--pid', '4194303')
  assert.is(dead.status, 2); assert.is(dead.stderr, 'sonde probes: no process 4194303\n')
  const bad = sonde('--pid', 'x')
  assert.is(bad.status, 2); assert.is(bad.stderr.split('\n').length, 2)
  const opt = sonde('--frobnicate')
  assert.is(opt.status, 2); assert.match(opt.stderr, /^sonde probes: unknown option --frobnicate/)
  const sleeper = spawn('sleep', ['30'])
  const notSonde = sonde('--pid', String(sleeper.pid))
  sleeper.kill()
  assert.is(notSonde.status, 2)
  assert.match(notSonde.stderr, /^sonde probes: process \d+ has no sonde probes .*\n$/)
})

const skip = missing('root', 'bpftrace', 'tracefs')
let child: Child | null = null

test('--pid on a live child: static and dynamic probes; enabled flips while bpftrace is attached', async () => {
  if (skip) { console.log('skip:', skip); return }
  child = startChild('clilive')
  await child.send('define tick i64')
  await child.send('enable')
  const state = () => {
    const r = sonde('--pid', String(child!.pid), '--json')
    assert.is(r.status, 0, r.stderr)
    const probes = JSON.parse(r.stdout).objects.flatMap((o: any) => o.probes.map((p: any) => ({ ...p, kind: o.kind, attach: o.attachPath })))
    return (key: string) => probes.find((p: any) => `${p.provider}:${p.name}` === key)
  }
  const before = state()
  for (const s of staticProbes.filter((p) => p.provider === 'sonde')) assert.ok(before(`sonde:${s.name}`), `static ${s.name}`)
  const dyn = before('clilive:tick')
  assert.ok(dyn, 'dynamic probe listed')
  assert.is(dyn.kind, 'dynamic-memfd')
  assert.match(dyn.attach, new RegExp(`^/proc/${child.pid}/fd/\\d+$`))
  assert.is(before('clilive:tick').enabled, false)
  assert.is(before('sonde:loop__lag').enabled, false)
  const bt = startBpftrace('usdt::clilive:tick { @t = count(); } usdt::sonde:loop__lag { @l = count(); }', { pid: child.pid })
  await bt.ready
  const during = state()
  assert.is(during('clilive:tick').enabled, true)
  assert.ok(during('clilive:tick').semaphore > 0)
  assert.is(during('sonde:loop__lag').enabled, true)
  assert.is(during('sonde:gc__start').enabled, false, 'only the attached probes')
  const text = sonde('--pid', String(child.pid))
  assert.match(text.stdout, /clilive:tick\s+ENABLED \(\d+\)/)
  await bt.stop()
  const after = state()
  assert.is(after('clilive:tick').enabled, false)
  assert.is(after('sonde:loop__lag').enabled, false)
})

test.after(() => child?.close())
test.run()
