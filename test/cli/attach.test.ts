// `sonde attach PID` through the real CLI (bin/sonde.js on dist/) against a plain `node app.js`
// (test/fixtures/attach/plain-app.js: no -r, no --inspect): exit 0, then real bpftrace -p PID
// on usdt:<addon>:sonde:gc__done counts the GCs of a known allocation burst, matched against
// the app's own PerformanceObserver('gc') count; the app keeps answering; the inspector port
// is closed (connect refused, no LISTEN socket of the process on it). Bad input exits 2 with
// one line: dead PID, non-Node PID, another user's process (run as nobody), an app whose
// SIGUSR1 handler keeps the inspector shut. A target blocked in bursts
// (test/fixtures/attach/busy-app.js): the failure or success reported is the true one, and the
// inspector is closed once the target runs again.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import http from 'node:http'
import net from 'node:net'
import path from 'node:path'
import { missing } from '../support/system'
import { startBpftrace } from '../support/bpftrace'
import { addonPath } from '../../bpftrace/oneliners/index'
import { attachSonde, listeningPorts } from '../../inspect/attach'

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

async function startApp(file = path.join(root, 'test', 'fixtures', 'attach', 'plain-app.js'), flags: string[] = []): Promise<{ pid: number; port: number; child: ChildProcess }> {
  const child = spawn(process.execPath, [...flags, file], { stdio: ['ignore', 'pipe', 'pipe'] })
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
    const readable = spawnSync(process.execPath, ['-e', `require(${JSON.stringify(path.join(root, 'dist', 'inspect', 'attach.js'))})`], { uid: 65534, gid: 65534 })
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

// The target's LISTEN ports other than its own HTTP port, polled until `done(extra, seen)` or
// the time is up; `seen` collects every inspector port that showed up.
async function watchInspector(app: { pid: number; port: number }, withinMs: number, done: (extra: number[], seen: Set<number>) => boolean): Promise<{ extra: number[]; seen: Set<number> }> {
  const seen = new Set<number>(), end = Date.now() + withinMs
  for (;;) {
    const extra = listeningPorts(app.pid).filter((p) => p !== app.port)
    for (const p of extra) seen.add(p)
    if (done(extra, seen) || Date.now() > end) return { extra, seen }
    await new Promise((r) => setTimeout(r, 100))
  }
}

const busyApp = () => startApp(path.join(root, 'test', 'fixtures', 'attach', 'busy-app.js'), ['--inspect-port=0'])
const mapsSonde = (pid: number) => spawnSync('grep', ['-q', 'sonde.node', `/proc/${pid}/maps`]).status === 0

if (skip) test.skip(`sonde attach against a busy process (${skip})`, () => {})
else {
  test('a main thread blocked in native code past the deadline: one-line failure, no late load, the inspector it opens later is closed', async () => {
    const app = await busyApp()
    await get(app.port, '/bursts?mode=native&ms=7000,3000')
    const err = await attachSonde(app.pid, { timeoutMs: 2000 }).then(() => null, (e: Error) => e)
    assert.is(err?.name, 'AttachError')
    assert.is(err!.message.split('\n').length, 1)
    assert.match(err!.message, /opened no inspector after SIGUSR1/)
    // the inspector opens between the bursts (at ~7 s) and must be closed again
    const w = await watchInspector(app, 30_000, (extra, seen) => seen.size > 0 && extra.length === 0)
    assert.ok(w.seen.size > 0, 'the inspector opened after the first burst')
    assert.equal(w.extra, [], `inspector port(s) ${w.extra} still listening`)
    const after = await get(app.port, '/ping')
    assert.is(after.bursts, 2)
    assert.is(after.sonde, false, 'sonde did not load after the reported failure')
    assert.not.ok(mapsSonde(app.pid), 'addon not mapped')
  })

  test('a JS busy loop longer than the default timeout (18 s): the outcome reported is the true one, the inspector closed after the burst', async () => {
    const app = await busyApp()
    await get(app.port, '/bursts?mode=js&ms=18000')
    const r = sonde('attach', String(app.pid), '--json')
    const after = await get(app.port, '/ping') // answers once the burst is over
    console.log(`# attach during an 18 s JS burst: exit ${r.status} ${(r.stdout + r.stderr).trim()}`)
    assert.is(after.bursts, 1)
    if (r.status === 2) assert.is(after.sonde, false, `reported failure (${r.stderr.trim()}) but sonde loaded`)
    else {
      assert.is(JSON.parse(r.stdout).outcome, 'attached', r.stdout)
      assert.is(after.sonde, true, 'reported attached')
    }
    const w = await watchInspector(app, 5000, (extra) => extra.length === 0)
    assert.equal(w.extra, [], `inspector port(s) ${w.extra} still listening after the burst`)
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
