// `import { startDashboard } from 'sonde'` (typed, the package's own exports map) and the one
// stderr line an in-process dashboard prints: SONDE_DASHBOARD=0 picks a port, the line gives
// it (and a generated token), for a CommonJS app under `-r sonde/register` and an ES module
// under `--import sonde/register`.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { root } from './support/demo-child'
import type * as Sonde from '../../index'
import { TEST_TOKEN, testAuth } from '../support/system'

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sonde-line-'))

test('startDashboard is exported from sonde, typed; port 0 gives the real port', async () => {
  // Resolved through package.json "exports" (self-reference from inside the package).
  const sonde = require(require.resolve('sonde', { paths: [root] })) as typeof Sonde
  assert.is(typeof sonde.startDashboard, 'function')
  const d: Sonde.Dashboard = await sonde.startDashboard({ port: 0, token: TEST_TOKEN, mode: 'standalone', register: false })
  try {
    assert.ok(d.port > 0)
    assert.is(d.url, `http://127.0.0.1:${d.port}/`)
    const r = await fetch(`${d.url}api/status`, { headers: testAuth })
    assert.is(r.status, 200)
    assert.is((await fetch(`${d.url}api/status`)).status, 401, 'the token is in force')
  } finally { await d.close() }
  const bad = await sonde.startDashboard({ port: 70000 }).then(() => undefined, (e: Error) => e)
  assert.ok(bad instanceof sonde.DashboardConfigError, String(bad))
})

async function lineOf(args: string[], env: Record<string, string>): Promise<{ url: string; token?: string; pid: number; out: () => string; exited: Promise<number | null> }> {
  const child = spawn(process.execPath, args, { cwd: root, env: { ...process.env, SONDE_RUNTIME_DIR: dir, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let err = '', out = ''
  child.stderr.on('data', (d) => { err += d })
  child.stdout.on('data', (d) => { out += d })
  const exited = new Promise<number | null>((r) => child.on('exit', (c) => r(c)))
  for (let i = 0; i < 300 && !/\n/.test(err); i++) await new Promise((r) => setTimeout(r, 50))
  const m = /^sonde: dashboard on (http:\/\/127\.0\.0\.1:(\d+)\/)(?:#token=(<your token>|\S+))? \(pid (\d+)\)\n/.exec(err)
  assert.ok(m, `stderr: ${JSON.stringify(err)}`)
  assert.is(Number(m![4]), child.pid)
  return { url: m![1], token: m![3] === '<your token>' ? undefined : m![3], pid: child.pid!, out: () => out, exited }
}

for (const [kind, args] of [['CommonJS, -r', ['-r', 'sonde/register', path.join(__dirname, 'support/env-app.js')]], ['ES module, --import', ['--import', 'sonde/register', path.join(__dirname, 'support/esm-app.mjs')]]] as const) {
  test(`${kind} sonde/register with SONDE_DASHBOARD=0 prints the URL it listens on`, async () => {
    // No token given: as root with bpftrace the dashboard generates one and the line carries it.
    const a = await lineOf([...args], { SONDE_DASHBOARD: '0', SONDE_TOKEN: '', SONDE_TOKEN_FILE: '', ALIVE_MS: '8000', REQUESTS: '7' })
    const headers: Record<string, string> = a.token ? { authorization: `Bearer ${a.token}` } : {}
    const status = await (await fetch(`${a.url}api/status`, { headers })).json() as { pid: number }
    assert.is(status.pid, a.pid)
    if (kind.startsWith('ES')) {
      for (let i = 0; i < 200 && !/requests done/.test(a.out()); i++) await new Promise((r) => setTimeout(r, 50))
      const metrics = await (await fetch(`${a.url}metrics`, { headers })).text()
      const n = metrics.split('\n').filter((l) => l.startsWith('sonde_http_request_duration_seconds_count{') && l.includes('/esm/:id')).map((l) => Number(l.split(' ').pop()))
      assert.equal(n, [7], 'the ES module app\'s 7 requests, seen by the http hook')
    }
    assert.is(await a.exited, 0)
  })
}

test('a given token is not printed', async () => {
  const a = await lineOf(['-r', 'sonde/register', path.join(__dirname, 'support/env-app.js')], { SONDE_DASHBOARD: '0', SONDE_TOKEN: TEST_TOKEN, ALIVE_MS: '3000' })
  assert.is(a.token, undefined, 'shown as <your token>')
  assert.is((await fetch(`${a.url}api/status`, { headers: testAuth })).status, 200)
  assert.is(await a.exited, 0)
})

test.after(() => { fs.rmSync(dir, { recursive: true, force: true }) })

test.run()
