// func__entry / func__return fired by traced functions, seen by real bpftrace attached to a
// real traced process: 40 interval callbacks × 23 calls of work() → exactly 920 of each,
// work at traced depth 1 under its callback at depth 0, durations > 0.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawn } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { missing } from '../support/system'
import { startBpftrace } from '../support/bpftrace'

const root = path.resolve(__dirname, '..', '..')
const addon = path.join(root, 'build', 'Release', 'sonde.node')
const staticProbes = path.join(root, 'dist', 'probes', 'static-probes.js')
const skip = missing('root', 'bpftrace') ?? (fs.existsSync(addon) && fs.existsSync(staticProbes) ? null : 'static probes or addon not built')

test('bpftrace sees func__entry / func__return with name, depth and duration', async (ctx) => {
  if (skip) { console.log(`skip: ${skip}`); return void ctx }
  const out = path.join(os.tmpdir(), `sonde-probes-${process.pid}.trace`)
  const app = spawn(process.execPath, ['-r', path.join(root, 'dist', 'tracer', 'preload.js'), 'probe-app.js'], {
    cwd: path.join(root, 'test', 'fixtures', 'apps', 'tracer-known'), env: { ...process.env, SONDE_TRACE: '', SONDE_TRACE_OUT: out }, stdio: ['pipe', 'pipe', 'inherit'],
  })
  const appExit = new Promise((r) => app.on('exit', r))
  await new Promise<void>((resolve, reject) => {
    let so = ''
    app.stdout!.setEncoding('utf8').on('data', (d: string) => { so += d; if (so.includes('STARTED\n')) resolve() })
    void appExit.then((c) => reject(new Error(`probe-app exited (${c}) before STARTED: ${so}`)))
  })
  const prog = `usdt:${addon}:sonde:func__entry { @e[str(arg0), arg2] = count(); } usdt:${addon}:sonde:func__return /str(arg0) == "work"/ { @r = count(); @min = min(arg2); }`
  const bt = startBpftrace(prog, { pid: app.pid })
  try { await bt.ready } catch (e) { app.kill('SIGKILL'); throw e }
  app.stdin!.end('go\n')  // the app calls work only from here on: every call is seen
  await appExit
  const text = (await bt.stop()).text
  fs.rmSync(out, { force: true })
  assert.match(text, /@e\[work, 1\]: 920\n/, text)
  assert.match(text, /@r: 920\n/, text)
  const min = Number(/@min: (\d+)/.exec(text)?.[1])
  assert.ok(min > 0, `min duration ${min}`)
})

test.run()
