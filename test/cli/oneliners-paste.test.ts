// What `sonde oneliners` prints is safe to paste: bounded output (no lhist with hundreds of
// rows, blocks of at most 80 lines), the DTrace form as a comment (a real bash runs a pasted
// block and real bpftrace; nothing after it runs), the caller's own node process when no
// --pid is given, and --json saying which parameters each one-liner needs — derived here from
// what the printed commands do with them, not from the catalogue.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawn, spawnSync } from 'node:child_process'
import { pollState } from '../../bpftrace/process'
import path from 'node:path'
import { oneLiners, programOf, readOneLinerFile } from '../../bpftrace/oneliners/index'
import { missing } from '../support/system'
import { readProcessProbes } from '../../inspect/proc-probes'

const root = path.resolve(__dirname, '..', '..')
const sonde = (...args: string[]) => spawnSync(process.execPath, [path.join(root, 'bin', 'sonde.js'), ...args], { encoding: 'utf8', timeout: 60_000 })
const MAX_LHIST_ROWS = 50

/** Rows of every lhist(expr, min, max, step) / lquantize(...) in a text: (max - min) / step. */
function linearRows(text: string): number[] {
  return [...text.matchAll(/\b(?:lhist|lquantize)\((.*?), *(-?\d+), *(-?\d+), *(\d+)\)/g)].map((m) => (Number(m[3]) - Number(m[2])) / Number(m[4]))
}

test('every lhist (and DTrace lquantize) has at most 50 rows', () => {
  let seen = 0
  for (const o of oneLiners) {
    for (const rows of [...linearRows(programOf(readOneLinerFile(o))), ...linearRows(o.dtrace ?? '')]) {
      seen++
      assert.ok(rows <= MAX_LHIST_ROWS, `${o.name}: an lhist of ${rows} rows`)
    }
  }
  assert.ok(seen >= 2, 'msg-latency and msg-latency-by-channel use lhist')
})

test('each block: at most 80 lines; outside the command, only comments (the DTrace form too)', () => {
  const json = JSON.parse(sonde('oneliners', '--json', '--pid', String(process.pid), '--provider', 'demo').stdout) as { name: string; command: string; dtrace: string | null }[]
  for (const o of json) {
    const r = sonde('oneliners', o.name, '--pid', String(process.pid), '--provider', 'demo')
    assert.is(r.status, 0, r.stderr)
    assert.ok(r.stdout.split('\n').length <= 80, `${o.name}: ${r.stdout.split('\n').length} lines`)
    assert.ok(r.stdout.includes(o.command), o.name)
    const rest = r.stdout.replace(o.command, '').split('\n').filter((l) => l.trim() !== '')
    for (const l of rest) assert.match(l, /^#/, `${o.name}: '${l}' would run when pasted`)
    if (o.dtrace) assert.ok(r.stdout.includes(`# ${o.dtrace}\n`), `${o.name}: DTrace form as a comment`)
  }
})

test('--json: needs lists pid and provider exactly where the printed command uses them', () => {
  const plain = JSON.parse(sonde('oneliners', '--json').stdout) as { name: string; command: string; needs: string[] }[]
  const other = JSON.parse(sonde('oneliners', '--json', '--provider', 'otherprov').stdout) as { name: string; command: string }[]
  assert.is(plain.length, oneLiners.length)
  for (const o of plain) {
    const usesPid = /pgrep/.test(o.command)
    const usesProvider = other.find((x) => x.name === o.name)!.command !== o.command
    assert.equal(o.needs, [...(usesPid ? ['pid'] : []), ...(usesProvider ? ['provider'] : [])], o.name)
    // without --pid: the caller's own newest node process
    if (usesPid) assert.match(o.command, /^P=\$\(pgrep -n -u "\$\(id -u\)" -x node\); /, o.name)
  }
  assert.equal(plain.find((o) => o.name === 'user-provider')!.needs, ['pid', 'provider'])
})

const skip = missing('root', 'bpftrace')
test('a pasted block runs in bash: bpftrace, stopped by Ctrl-C, and nothing after it fails', async () => {
  if (skip) { console.log(`skipped: ${skip}`); return }
  const app = spawn(process.execPath, ['-r', path.join(root, 'dist', 'register.js'), '-e', 'setInterval(() => {}, 1000); console.log("up")'], { stdio: ['ignore', 'pipe', 'inherit'] })
  try {
    await new Promise<void>((resolve) => app.stdout.once('data', () => resolve()))
    const block = sonde('oneliners', 'loop-lag', '--pid', String(app.pid))
    assert.is(block.status, 0, block.stderr)
    assert.match(block.stdout, /# dtrace -n /)
    // a group of its own, so SIGINT reaches bash and bpftrace as Ctrl-C in a terminal would
    const sh = spawn('bash', ['-c', block.stdout], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
    let err = ''
    sh.stderr.on('data', (d) => { err += d })
    sh.stdout.resume()
    // attached once the probe's semaphore is up in the app (bpftrace's own "Attaching" line
    // sits in its stdio buffer on a pipe)
    const enabled = (): boolean => readProcessProbes(app.pid!).some((ob) => ob.probes.some((p) => p.name === 'loop__lag' && p.enabled))
    for (let i = 0; i < 600 && !enabled() && sh.exitCode === null; i++) await new Promise((r) => setTimeout(r, 100))
    assert.ok(enabled(), `bpftrace attached: ${err}`)
    const exited = new Promise<number | null>((resolve) => sh.on('exit', (c) => resolve(c)))
    // Ctrl-C as a user gives it: bpftrace 0.17 acts on SIGINT only while it sleeps in its poll
    // loop (one landing while it reads events is ignored, bpftrace/process.ts), so the group gets
    // SIGINT when bpftrace sits there, again after a second if it is still running, as a user
    // would press it again; after 30 s the test fails instead of hanging.
    const bpftracePid = (): number | undefined => {
      const n = Number(spawnSync('pgrep', ['-g', String(sh.pid), '-x', 'bpftrace'], { encoding: 'utf8' }).stdout.trim().split('\n')[0])
      return n > 0 ? n : undefined
    }
    let code: number | null | undefined, lastSent = 0
    for (let i = 0; i < 300 && code === undefined; i++) {
      const pid = bpftracePid()
      const state = pid === undefined ? null : pollState(pid)
      if ((state === 'poll' || state === null) && Date.now() - lastSent >= 1000) { process.kill(-sh.pid!, 'SIGINT'); lastSent = Date.now() }
      code = await Promise.race([exited, new Promise<undefined>((r) => setTimeout(() => r(undefined), 100))])
    }
    if (code === undefined) { process.kill(-sh.pid!, 'SIGKILL'); assert.unreachable(`the pasted block did not stop on Ctrl-C: ${err}`) }
    assert.not.match(err, /command not found/)
    assert.is(code, 0, err)
  } finally { app.kill() }
})

test.run()
