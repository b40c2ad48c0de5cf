// `kill -INT` to `sonde run` (no terminal: not Ctrl-C to a process group) stops the child and
// writes its CPU profile and function trace, as SIGTERM does: a real sonde run, a real child
// whose PID it prints, the files read back by sonde's own importers.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { importProfileFile } from '../../viz/importers/index'
import { deriveCallGraph } from '../../viz/graph/derive'

const root = path.resolve(__dirname, '..', '..')
const bin = path.join(root, 'bin', 'sonde.js')
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sonde-run-sig-'))
fs.writeFileSync(path.join(tmp, 'app.js'), [
  'function tick(n) { return n + 1 }',
  'let n = 0',
  'for (let i = 0; i < 7; i++) n = tick(n)',
  'setInterval(() => {}, 1000)',
  'console.log(`ready ${process.pid} ${n}`)',
].join('\n') + '\n')

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true } catch { return false }
}

async function runAndSignal(sig: NodeJS.Signals, profile: string, trace: string): Promise<{ code: number | null; childPid: number; stderr: string }> {
  // detached: a session of its own, so no terminal can have sent the signal to the group
  const p = spawn(process.execPath, [bin, 'run', '--cpu-profile', profile, '--trace-functions', 'app.js', '--trace-out', trace, '--', 'node', 'app.js'], { cwd: tmp, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
  let out = '', err = ''
  p.stderr.on('data', (d) => { err += d })
  const childPid = await new Promise<number>((resolve, reject) => {
    p.stdout.on('data', (d) => { out += d; const m = /ready (\d+) 7/.exec(out); if (m) resolve(Number(m[1])) })
    p.on('exit', () => reject(new Error(`sonde run exited early: ${err}`)))
  })
  assert.ok(alive(childPid))
  const exited = new Promise<number | null>((resolve) => p.on('exit', (c) => resolve(c)))
  process.kill(p.pid!, sig)
  // a bound for the failure case only (sonde run ignoring the signal would wait forever)
  const stuck = setTimeout(() => { try { process.kill(-p.pid!, 'SIGKILL') } catch { /* gone */ } }, 60_000)
  const code = await exited
  clearTimeout(stuck)
  return { code, childPid, stderr: err }
}

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  test(`kill -${sig.slice(3)} to sonde run: the child stops, profile and trace are written`, async () => {
    const profile = path.join(tmp, `${sig}.cpuprofile`), trace = path.join(tmp, `${sig}.trace`)
    const r = await runAndSignal(sig, profile, trace)
    assert.is(r.code, 128 + os.constants.signals[sig], r.stderr)
    assert.not.ok(alive(r.childPid), 'the child is gone')
    const p = await importProfileFile(profile)
    assert.ok(p.format.startsWith('cpuprofile'), p.format)
    const t = await importProfileFile(trace)
    assert.is(deriveCallGraph(t).nodes.find((n) => n.name === 'tick')?.calls, 7)
  })
}

test.run()
