// SONDE_DASHBOARD=PORT inside an app run with -r sonde/register: one server (the dashboard)
// answering /api/status for the app's pid, /api/snapshot, /metrics and the page; it registers
// in the runtime dir, a standalone dashboard lists it and proxies to it, and the file goes
// away when the app exits (the unref'd server does not keep the app alive).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { root } from './support/demo-child'

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sonde-rt-'))
process.env.SONDE_RUNTIME_DIR = dir

async function waitFor<T>(what: string, fn: () => T | undefined, ms = 15_000): Promise<T> {
  const t0 = Date.now()
  for (;;) {
    const v = fn()
    if (v !== undefined) return v
    if (Date.now() - t0 > ms) throw new Error(`${what}: not within ${ms} ms`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

test('SONDE_DASHBOARD serves the dashboard from inside the app; standalone lists and proxies it', async () => {
  const child = spawn(process.execPath, ['-r', path.join(root, 'dist/register.js'), path.join(__dirname, 'support/env-app.js')], {
    env: { ...process.env, SONDE_DASHBOARD: '0', SONDE_RUNTIME_DIR: dir, ALIVE_MS: '12000' }, stdio: ['ignore', 'pipe', 'pipe'],
  })
  let err = ''
  child.stderr.on('data', (d) => { err += d })
  const exited = new Promise<number | null>((r) => child.on('exit', (c) => r(c)))
  const file = path.join(dir, `${child.pid}.json`)
  const entry = await waitFor('registry file', () => fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) as { port: number; pid: number; token?: string } : undefined)
  assert.is(entry.pid, child.pid)
  assert.is((fs.statSync(file).mode & 0o777), 0o600)
  const base = `http://127.0.0.1:${entry.port}`
  // As root with bpftrace on PATH the app's dashboard can start programs: it generated a token,
  // kept in its registry entry (this user only); the standalone proxy forwards the caller's.
  const headers: Record<string, string> = entry.token ? { authorization: `Bearer ${entry.token}` } : {}
  const fetch = (url: string) => globalThis.fetch(url, { headers })
  const status = await (await fetch(`${base}/api/status`)).json() as { pid: number; mode: string; streamClients: number }
  assert.is(status.pid, child.pid, '/api/status pid is the app')
  assert.is(status.mode, 'app')
  const snap = await (await fetch(`${base}/api/snapshot`)).json() as { pid: number; collectors: string[] }
  assert.is(snap.pid, child.pid)
  assert.ok(snap.collectors.includes('http'), `collectors: ${snap.collectors}`)
  const metrics = await (await fetch(`${base}/metrics`)).text()
  assert.match(metrics, /sonde_eventloop_utilization_ratio/)
  assert.match(await (await fetch(`${base}/`)).text(), /<script src="app.js"/)

  const { startDashboard } = await import('../../web/server')
  const d = await startDashboard({ port: 0, mode: 'standalone' })
  try {
    const list = await (await fetch(`${d.url}api/processes`)).json() as { pid: number }[]
    assert.ok(list.some((p) => p.pid === child.pid), `listed: ${JSON.stringify(list)}`)
    const proxied = await (await fetch(`${d.url}api/proc/${child.pid}/status`)).json() as { pid: number }
    assert.is(proxied.pid, child.pid, 'proxied status comes from the app')
    assert.is((await fetch(`${d.url}api/proc/1/status`)).status, 404, 'unregistered pids are not reachable')
  } finally { await d.close() }

  assert.is(await exited, 0, `app exits by itself: ${err}`)
  assert.not.ok(fs.existsSync(file), 'registry file removed at exit')
  assert.not.match(err, /Error|Warning/, err)
})

test.after(() => { fs.rmSync(dir, { recursive: true, force: true }) })

test.run()
