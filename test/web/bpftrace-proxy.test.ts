// The bpftrace panel of another process through the standalone dashboard's proxy (what the
// page does after switching under Processes): `sonde dashboard` observes no process itself and
// says so; for an app run with -r register + SONDE_DASHBOARD=0, http-latency started through
// /api/proc/PID/bpftrace counts exactly the 23 GETs sent to the app's own server while it ran, and
// none of the requests the dashboards made to the app's in-process dashboard meanwhile (sonde's
// own traffic fires no http probe). An app whose
// PATH has no bpftrace gets the one-line "not found … install" reason and a 503 on start.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { missing } from '../support/system'
import { root } from './support/demo-child'
import type { PanelState } from '../../web/server/bpftrace-panel'

const skip = missing('root', 'bpftrace', 'tracefs')
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sonde-rt-'))
process.env.SONDE_RUNTIME_DIR = dir

async function poll<T>(what: string, fn: () => Promise<T | undefined>, ms: number): Promise<T> {
  const t0 = Date.now()
  for (;;) {
    const v = await fn()
    if (v !== undefined) return v
    if (Date.now() - t0 > ms) throw new Error(`${what}: not within ${ms} ms`)
    await new Promise((r) => setTimeout(r, 150))
  }
}

test('standalone dashboard → proxied app: 23 GETs, 23 in the bpftrace histogram', async () => {
  if (skip) { console.log(`skip: ${skip}`); return }
  const { startDashboard } = await import('../../web/server')
  const d = await startDashboard({ port: 0, mode: 'standalone' })
  const app = spawn(process.execPath, ['-r', path.join(root, 'dist/register.js'), path.join(__dirname, 'support/env-app.js')], {
    env: { ...process.env, SONDE_DASHBOARD: '0', SONDE_RUNTIME_DIR: dir, ALIVE_MS: '60000', APP_PORT_FILE: path.join(dir, 'app-port') }, stdio: 'ignore',
  })
  try {
    const own = await (await fetch(`${d.url}api/bpftrace`)).json() as { available: boolean; reason: string }
    assert.is(own.available, false)
    assert.match(own.reason, /^this dashboard observes no process/)
    const file = path.join(dir, `${app.pid}.json`)
    const entry = await poll('app registered', async () => fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) as { port: number; token: string } : undefined, 15_000)
    // An app that can start bpftrace has a token (generated: it is in the registry entry); the
    // tokenless standalone dashboard forwards the caller's, as the page does after switching.
    const auth = { authorization: `Bearer ${entry.token}` }
    const authed = (url: string, init: RequestInit = {}) => fetch(url, { ...init, headers: auth })
    const via = `${d.url}api/proc/${app.pid}/bpftrace`
    assert.is((await fetch(via)).status, 401, 'not without the app\'s token')
    const info = await (await authed(via)).json() as { available: boolean; pid: number }
    assert.equal([info.available, info.pid], [true, app.pid])
    const started = await authed(`${via}/start?name=http-latency&seconds=60`, { method: 'POST' })
    assert.is(started.status, 200, await started.clone().text())
    const again = await authed(`${via}/start?name=msg-latency&seconds=5`, { method: 'POST' })
    assert.is(again.status, 409, 'one run at a time')
    await poll('bpftrace attached', async () => ((await (await authed(via)).json()) as { current: PanelState }).current.attachedProbes > 0 || undefined, 20_000)
    const appPort = Number(fs.readFileSync(path.join(dir, 'app-port'), 'utf8'))
    // attachedProbes comes from bpftrace's attached_probes line, printed before the uprobes are
    // in place, so requests sent right then can go unseen. The counted window opens once a
    // request is seen: GET /warmup until a periodic print shows it in a histogram.
    await poll('bpftrace sees the app\'s requests', async () => {
      await (await fetch(`http://127.0.0.1:${appPort}/warmup`)).text()
      const c = ((await (await authed(via)).json()) as { current: PanelState }).current
      return c.histograms.some((h) => h.key.startsWith('GET,/warmup')) || undefined
    }, 20_000)
    for (let i = 0; i < 23; i++) await (await fetch(`http://127.0.0.1:${appPort}/work`)).text()
    await (await authed(`http://127.0.0.1:${entry.port}/api/status`)).text()  // the in-process dashboard: not the app's traffic
    await new Promise((r) => setTimeout(r, 300))
    await authed(`${via}/stop`, { method: 'POST' })
    const done = await poll('done', async () => { const c = ((await (await authed(via)).json()) as { current: PanelState }).current; return c.state !== 'running' ? c : undefined }, 15_000)
    assert.is(done.state, 'done', done.error)
    const byUrl = new Map<string, number>()
    for (const h of done.histograms) { const url = h.key.split(',')[1]?.replace(/\?.*$/, '') ?? ''; if (h.key.startsWith('GET,')) byUrl.set(url, (byUrl.get(url) ?? 0) + h.count) }
    const seen = done.histograms.map((h) => `${h.key}:${h.count}`).join(' ')
    assert.is(byUrl.get('/work'), 23, `histograms: ${seen}`)
    assert.equal([...byUrl.keys()].sort(), ['/warmup', '/work'], `only the app's own requests: ${seen}`)
  } finally {
    app.kill('SIGKILL')
    await d.close()
  }
})

test('no bpftrace on PATH: the panel says what is missing and how to install it; start is 503', async () => {
  if (missing('root')) { console.log(`skip: ${missing('root')}`); return }
  const app = spawn(process.execPath, ['-r', path.join(root, 'dist/register.js'), path.join(__dirname, 'support/env-app.js')], {
    env: { ...process.env, PATH: '/nonexistent', SONDE_DASHBOARD: '0', SONDE_RUNTIME_DIR: dir, ALIVE_MS: '30000' }, stdio: 'ignore',
  })
  try {
    const file = path.join(dir, `${app.pid}.json`)
    const entry = await poll('app registered', async () => fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) as { port: number } : undefined, 15_000)
    const info = await (await fetch(`http://127.0.0.1:${entry.port}/api/bpftrace`)).json() as { available: boolean; reason: string }
    assert.is(info.available, false)
    assert.match(info.reason, /^bpftrace not found in PATH: install it \(apt-get install -y bpftrace/)
    const res = await fetch(`http://127.0.0.1:${entry.port}/api/bpftrace/start?name=msg-latency&seconds=5`, { method: 'POST' })
    assert.is(res.status, 503)
    assert.is(((await res.json()) as { error: string }).error, info.reason)
  } finally { app.kill('SIGKILL') }
})

test.after(() => { fs.rmSync(dir, { recursive: true, force: true }) })

test.run()
