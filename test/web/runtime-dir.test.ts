// The process registry's runtime directory against another local user (uid nobody): a
// directory they created first under $TMPDIR, with <pid>.json linked to a root-owned file, is
// refused with one warning and the file is left as it was; entries planted in our own directory
// are validated (symlink, foreign owner, foreign process, non-loopback host, pid that does not
// match the name); a symlink at our own entry's name is replaced, not written through.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { missing } from '../support/system'
import { root } from './support/demo-child'
import { listProcesses, registerProcess } from '../../web/server/process-registry'

const NOBODY = 65534
const skip = missing('root')
const dist = path.join(root, 'dist/web/server/process-registry.js')

function asNobody(script: string): void {
  const r = spawnSync('sh', ['-c', script], { uid: NOBODY, gid: NOBODY, encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`as nobody: ${script}: ${r.stderr}`)
}

function sleeper(uid?: number): ChildProcess {
  return spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore', ...(uid !== undefined ? { uid, gid: uid } : {}) })
}

test('a runtime dir another user created first, with a symlinked entry: refused, target untouched', async () => {
  if (skip) { console.log(`skip: ${skip}`); return }
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'sonde-tmpdir-'))
  fs.chmodSync(base, 0o1777)  // like /tmp: anyone may create entries
  const victim = path.join(base, 'victim')
  fs.writeFileSync(victim, 'root-owned\n', { mode: 0o644 })
  const env = { ...process.env, TMPDIR: base }
  delete env.XDG_RUNTIME_DIR; delete env.SONDE_RUNTIME_DIR
  // The root app waits for a line on stdin so that nobody can plant a link named for its pid.
  const script = `const r = require(${JSON.stringify(dist)}); process.stdin.once('data', () => {
    r.registerProcess({ port: 4242, host: '127.0.0.1', token: 'secret-token-0123456789' })
    process.stdout.write(JSON.stringify({ dir: r.runtimeDir(), listed: r.listProcesses().map((p) => p.pid) }))
    setTimeout(() => process.exit(0), 50) })`  // warnings print on a later tick
  const app = spawn(process.execPath, ['-e', script], { env, stdio: ['pipe', 'pipe', 'pipe'] })
  let out = '', err = ''
  app.stdout!.on('data', (d) => { out += d })
  app.stderr!.on('data', (d) => { err += d })
  const exited = new Promise<number | null>((r) => app.on('exit', (c) => r(c)))
  const dir = path.join(base, 'sonde-0')
  try {
    asNobody(`mkdir -m 0700 ${dir} && ln -s ${victim} ${dir}/${app.pid}.json`)
    // A planted entry pointing the dashboard at a port of nobody's choosing (a live root pid).
    asNobody(`echo '{"pid":${process.pid},"port":80,"host":"127.0.0.1","title":"x","startedMs":1}' > ${dir}/${process.pid}.json`)
    app.stdin!.end('go\n')
    assert.is(await exited, 0, err)
    const res = JSON.parse(out) as { dir: string; listed: number[] }
    assert.is(res.dir, dir)
    assert.is(fs.readFileSync(victim, 'utf8'), 'root-owned\n', 'the linked root-owned file was not written')
    assert.is(fs.statSync(victim).mode & 0o777, 0o644)
    assert.equal(res.listed, [], "nobody's planted entry is not listed")
    assert.match(err, /\[SONDE_RUNTIME_DIR\].*refusing the runtime directory .*sonde-0: it is owned by uid 65534, not 0/)
    assert.is(err.trim().split('\n').filter((l) => l.includes('SONDE_RUNTIME_DIR')).length, 1, `one warning: ${err}`)
  } finally {
    app.kill('SIGKILL')
    fs.rmSync(base, { recursive: true, force: true })
  }
})

test('entries in our own dir are validated before use; a bad dir mode is refused', async () => {
  if (skip) { console.log(`skip: ${skip}`); return }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sonde-rt-'))
  process.env.SONDE_RUNTIME_DIR = dir
  const procs = [sleeper(), sleeper(), sleeper(), sleeper(), sleeper(), sleeper(NOBODY)]
  const [good, linked, foreignFile, remote, mismatch, foreignProc] = procs.map((p) => p.pid!)
  const entry = (pid: number, host = '127.0.0.1') => JSON.stringify({ pid, port: 5000 + (pid % 1000), host, title: `app ${pid}`, startedMs: pid })
  const warnings: string[] = []
  const onWarning = (w: Error & { code?: string }) => { warnings.push(`${w.code}: ${w.message}`) }
  process.on('warning', onWarning)
  try {
    const put = (name: number, text: string) => fs.writeFileSync(path.join(dir, `${name}.json`), text, { mode: 0o600 })
    put(good, entry(good))
    const elsewhere = path.join(os.tmpdir(), `sonde-entry-${linked}.json`)
    fs.writeFileSync(elsewhere, entry(linked))
    fs.symlinkSync(elsewhere, path.join(dir, `${linked}.json`))
    put(foreignFile, entry(foreignFile)); fs.chownSync(path.join(dir, `${foreignFile}.json`), NOBODY, NOBODY)
    put(remote, entry(remote, '10.0.0.1'))
    put(mismatch, entry(good))
    put(foreignProc, entry(foreignProc))
    assert.equal(listProcesses().map((p) => p.pid), [good], 'only the valid entry')
    fs.rmSync(elsewhere)
    fs.chmodSync(dir, 0o755)
    assert.equal(listProcesses(), [], 'a group/world-readable dir is not used')
    await new Promise((r) => setImmediate(r))  // warnings are emitted on a later tick
    assert.match(warnings.join('\n'), /SONDE_RUNTIME_DIR: .*its mode is 0755, not 0700/)
  } finally {
    process.off('warning', onWarning)
    for (const p of procs) p.kill('SIGKILL')
    fs.rmSync(dir, { recursive: true, force: true })
  }
})

test('registering replaces a symlink at its own name instead of writing through it (0600 file)', () => {
  if (skip) { console.log(`skip: ${skip}`); return }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sonde-rt-'))
  process.env.SONDE_RUNTIME_DIR = dir
  const victim = path.join(os.tmpdir(), `sonde-victim-${process.pid}`)
  fs.writeFileSync(victim, 'keep\n', { mode: 0o644 })
  const file = path.join(dir, `${process.pid}.json`)
  fs.symlinkSync(victim, file)
  try {
    const unregister = registerProcess({ port: 4242, host: '127.0.0.1', token: 'secret-token-0123456789' })
    assert.is(fs.readFileSync(victim, 'utf8'), 'keep\n')
    const st = fs.lstatSync(file)
    assert.ok(st.isFile(), 'a regular file now')
    assert.is(st.mode & 0o777, 0o600)
    assert.is((JSON.parse(fs.readFileSync(file, 'utf8')) as { port: number }).port, 4242)
    assert.equal(fs.readdirSync(dir), [`${process.pid}.json`], 'no temporary file left')
    unregister()
    assert.not.ok(fs.existsSync(file))
  } finally {
    fs.rmSync(victim, { force: true })
    fs.rmSync(dir, { recursive: true, force: true })
  }
})

test.run()
