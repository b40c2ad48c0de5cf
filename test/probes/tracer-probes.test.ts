// func__entry / func__return fired by traced functions, seen by real bpftrace attached to a
// real traced process: 40 interval callbacks × 23 calls of work() → exactly 920 of each,
// work at traced depth 1 under its callback at depth 0, durations > 0.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawn, spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { missing } from '../support/system'

const root = path.resolve(__dirname, '..', '..')
const addon = path.join(root, 'build', 'Release', 'sonde.node')
const staticProbes = path.join(root, 'dist', 'probes', 'static-probes.js')
const skip = missing('root', 'bpftrace') ?? (fs.existsSync(addon) && fs.existsSync(staticProbes) ? null : 'static probes or addon not built')

test('bpftrace sees func__entry / func__return with name, depth and duration', async (ctx) => {
  if (skip) { console.log(`skip: ${skip}`); return void ctx }
  const out = path.join(os.tmpdir(), `sonde-probes-${process.pid}.trace`)
  const app = spawn(process.execPath, ['-r', path.join(root, 'dist', 'probes', 'tracer', 'preload.js'), 'probe-app.js'], {
    cwd: path.join(root, 'test', 'fixtures', 'apps', 'tracer-known'), env: { ...process.env, SONDE_TRACE: '', SONDE_TRACE_OUT: out }, stdio: 'ignore',
  })
  await new Promise((r) => setTimeout(r, 700))
  const prog = `usdt:${addon}:sonde:func__entry { @e[str(arg0), arg2] = count(); } usdt:${addon}:sonde:func__return /str(arg0) == "work"/ { @r = count(); @min = min(arg2); }`
  const bt = spawnSync('bpftrace', ['-p', String(app.pid), '-e', prog], { encoding: 'utf8', timeout: 20_000 })
  await new Promise((r) => app.exitCode !== null ? r(null) : app.on('exit', r))
  fs.rmSync(out, { force: true })
  const text = bt.stdout
  assert.match(text, /@e\[work, 1\]: 920\n/, text)
  assert.match(text, /@r: 920\n/, text)
  const min = Number(/@min: (\d+)/.exec(text)?.[1])
  assert.ok(min > 0, `min duration ${min}`)
})

test.run()
