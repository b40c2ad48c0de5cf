// `sonde attach PID` through the real CLI (bin/sonde.js on dist/) against a plain `node app.js`
// (test/fixtures/attach/plain-app.js: no -r, no --inspect): exit 0, then real bpftrace -p PID
// on usdt:<addon>:sonde:gc__done counts the GCs of a known allocation burst, matched against
// the app's own PerformanceObserver('gc') count; the app keeps answering; the inspector port
// is closed (connect refused, no LISTEN socket of the process on it). Bad input exits 2 with
// one line: dead PID, non-Node PID, another user's process (run as nobody), an app whose
// SIGUSR1 handler keeps the inspector shut.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import http from 'node:http'
import net from 'node:net'
import path from 'node:path'
import { missing } from '../support/system'
import { startBpftrace } from '../support/bpftrace'
import { addonPath } from '../../probes/oneliners/index'
import { attachSonde, listeningPorts } from '../../probes/attach'

const root = path.resolve(__dirname, '..', '..')
const sonde = (...args: string[]) => spawnSync(process.execPath, [path.join(root, 'bin', 'sonde.js'), ...args], { encoding: 'utf8', timeout: 60_000 })
const skip = missing('root', 'bpftrace', 'tracefs')
const children: ChildProcess[] = []

function exit2OneLine(r: ReturnType<typeof sonde>, re: RegExp): void {
  assert.is(r.status, 2, r.stderr)
  const lines = r.stderr.trim().split('\n')
  assert.is(lines.length, 1, r.stderr)
  assert.match(lines[0], re)
}

function firstLine(c: ChildProcess, prefix: string, what: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = ''
    const t = setTimeout(() => reject(new Error(`${what}: no "${prefix}" line in 30 s: ${buf}`)), 30_000)
    c.stdout!.setEncoding('utf8').on('data', (d: string) => {
      buf += d
      const l = buf.split('\n').find((x) => x.startsWith(prefix))
      if (l) { clearTimeout(t); resolve(l) }
    })
    c.on('exit', (code) => reject(new Error(`${what} exited (${code}) before "${prefix}": ${buf}`)))
  })
}

async function startApp(file = path.join(root, 'test', 'fixtures', 'attach', 'plain-app.js')): Promise<{ pid: number; port: number; child: ChildProcess }> {
  const child = spawn(process.execPath, [file], { stdio: ['ignore', 'pipe', 'pipe'] })
  children.push(child)
  const { pid, port } = JSON.parse((await firstLine(child, 'READY ', 'plain-app')).slice(6))
  return { pid, port, child }
}

function get(port: number, route: string): Promise<any> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: route, agent: false }, (res) => {
      let body = ''
      res.setEncoding('utf8').on('data', (d: string) => { body += d }).on('end', () => resolve(JSON.parse(body)))
    }).on('error', reject)
  })
}

function connectError(port: number): Promise<string | null> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => { s.destroy(); resolve(null) })
    s.on('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message))
  })
}

if (skip) test.skip(`sonde attach against a real process (${skip})`, () => {})
else {
  test('attach a plain node app: bpftrace sees sonde:gc__done, the app runs on, the inspector is closed', async () => {
    const app = await startApp()
    const before = await get(app.port, '/ping')
    assert.is(before.sonde, false, 'the app starts without sonde')
    assert.not.ok(spawnSync('grep', ['-q', 'sonde.node', `/proc/${app.pid}/maps`]).status === 0, 'addon not mapped before')

    const r = sonde('attach', String(app.pid), '--json')
    assert.is(r.status, 0, r.stderr)
    const res = JSON.parse(r.stdout)
    assert.equal([res.outcome, res.inspectorWasOpen, res.inspectorClosed], ['attached', false, true])
    console.log(`# attach: inspector port ${res.port}`)

    // closed: refused, and no LISTEN socket of the process on it (its HTTP port still is one)
    assert.is(await connectError(res.port), 'ECONNREFUSED')
    const ports = listeningPorts(app.pid)
    assert.ok(ports.includes(app.port), `the app's own port ${app.port} in ${ports}`)
    assert.not.ok(ports.includes(res.port), `inspector port ${res.port} not in ${ports}`)
    const after = await get(app.port, '/ping')
    assert.is(after.sonde, true, 'register ran in the app')
    assert.ok(after.ticks >= before.ticks, 'the app runs on')

    // known burst under bpftrace; the app's own GC count is the ground truth
    await get(app.port, '/pause')
    const bt = startBpftrace(`usdt:${addonPath}:sonde:gc__done { @gcs = count(); }`, { pid: app.pid })
    await bt.ready
    const c0 = await get(app.port, '/ping')
    const c1 = await get(app.port, '/burst')
    const out = (await bt.stop()).text
    const seen = Number(/@gcs: (\d+)/.exec(out)?.[1] ?? 0) // count() prints only when it fired
    const truth = c1.gcs - c0.gcs
    console.log(`# attach: bpftrace gc__done ${seen}, app PerformanceObserver ${truth}`)
    assert.ok(truth >= 1, 'the burst collected')
    assert.is(seen, truth, out)
    const last = await get(app.port, '/ping')
    assert.ok(last.gcs >= c1.gcs, 'the app still answers after bpftrace left')

    const again = sonde('attach', String(app.pid))
    assert.is(again.status, 0, again.stderr)
    assert.match(again.stdout, /already loaded/)
  })

  test('an app already started with --inspect=127.0.0.1:0: its port is found from /proc, used and left open', async () => {
    const child = spawn(process.execPath, ['--inspect=127.0.0.1:0', path.join(root, 'test', 'fixtures', 'attach', 'plain-app.js')], { stdio: ['ignore', 'pipe', 'pipe'] })
    children.push(child)
    const announced = new Promise<number>((resolve) => {
      let err = ''
      child.stderr!.setEncoding('utf8').on('data', (d: string) => { err += d; const m = /Debugger listening on ws:\/\/127\.0\.0\.1:(\d+)\//.exec(err); if (m) resolve(Number(m[1])) })
    })
    const { pid } = JSON.parse((await firstLine(child, 'READY ', 'plain-app --inspect')).slice(6))
    const port = await announced
    const r = sonde('attach', String(pid), '--json')
    assert.is(r.status, 0, r.stderr)
    assert.equal(JSON.parse(r.stdout), { pid, outcome: 'attached', port, inspectorWasOpen: true })
    assert.is(await connectError(port), null, 'still open')
  })

  test('a load that throws in the target: one-line AttachError, the inspector closed anyway, the app alive', async () => {
    const app = await startApp()
    const err = await attachSonde(app.pid, { registerPath: path.join(root, 'test', 'fixtures', 'attach', 'throwing-register.js') }).then(() => null, (e: Error) => e)
    assert.is(err?.name, 'AttachError')
    assert.match(err!.message, /^loading sonde into \d+ failed: Error: boom at load$/)
    const end = Date.now() + 3000
    while (listeningPorts(app.pid).length > 1 && Date.now() < end) await new Promise((r) => setTimeout(r, 50))
    assert.equal(listeningPorts(app.pid), [app.port])
    assert.is((await get(app.port, '/ping')).sonde, false)
  })

  test('not root and not its user: exit 2, one line, no signal sent', async () => {
    // runs the CLI as nobody: it needs to read this checkout (a clone under /root may not be)
    const readable = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(path.join(root, 'dist', 'probes', 'attach.js'))})`], { uid: 65534, gid: 65534 })
    if (readable.status !== 0) { console.log('# skip: this checkout is not readable by uid 65534'); return }
    const app = await startApp(path.join(root, 'test', 'fixtures', 'attach', 'sigusr1-app.js'))
    const r = spawnSync(process.execPath, [path.join(root, 'bin', 'sonde.js'), 'attach', String(app.pid)], { encoding: 'utf8', uid: 65534, gid: 65534, timeout: 30_000 })
    exit2OneLine(r, /belongs to uid 0: run sonde attach as root or as that user/)
    assert.is((await get(app.port, '/ping')).usr1, 0)
  })

  test('an app whose SIGUSR1 handler keeps the inspector shut: exit 2, one line, app alive', async () => {
    const app = await startApp(path.join(root, 'test', 'fixtures', 'attach', 'sigusr1-app.js'))
    exit2OneLine(sonde('attach', String(app.pid)), /opened no inspector after SIGUSR1/)
    assert.is((await get(app.port, '/ping')).usr1, 1, 'the app got the signal and runs on')
  })
}

test('bad input: dead PID, non-Node PID, not a number → exit 2, one line', async () => {
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' })
  exit2OneLine(sonde('attach', dead.stdout), /does not exist/)
  const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' })
  children.push(sleeper)
  await new Promise((r) => setTimeout(r, 100))
  exit2OneLine(sonde('attach', String(sleeper.pid)), /is not a Node\.js process/)
  assert.is(sleeper.exitCode, null, 'sleep was not signalled')
  exit2OneLine(sonde('attach', 'abc'), /not a process id/)
  exit2OneLine(sonde('attach'), /which process/)
})

test.after(() => { for (const c of children) if (c.exitCode === null) c.kill('SIGKILL') })

test.run()
