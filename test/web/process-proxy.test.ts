// The standalone dashboard's process proxy and list against a caller with no credentials: an
// app with a token (SONDE_TOKEN) answers 401 directly, and through a tokenless `sonde dashboard`
// too, 200 only with the app's own token; a dashboard with a token of its own adds the app's
// for callers that showed it. The app's command line (--db-password=…) is never served without
// a token: not in /api/processes of a tokenless dashboard, not in a tokenless app's /api/status.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { root } from './support/demo-child'
import { startDashboard } from '../../web/server'

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sonde-rt-'))
process.env.SONDE_RUNTIME_DIR = dir
const APP_TOKEN = 'app-token-0123456789abcdef'
const SECRET = '--db-password=hunter2'

function startApp(env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, ['-r', path.join(root, 'dist/register.js'), path.join(__dirname, 'support/env-app.js'), SECRET], {
    env: { ...process.env, SONDE_DASHBOARD: '0', SONDE_RUNTIME_DIR: dir, ALIVE_MS: '30000', ...env }, stdio: 'ignore',
  })
}

async function registered(pid: number): Promise<{ port: number }> {
  const file = path.join(dir, `${pid}.json`)
  for (let i = 0; i < 150; i++) {
    if (fs.existsSync(file)) return JSON.parse(fs.readFileSync(file, 'utf8')) as { port: number }
    await new Promise((r) => setTimeout(r, 100))
  }
  throw new Error(`pid ${pid} did not register`)
}

const bearer = (t: string) => ({ authorization: `Bearer ${t}` })

test('a tokenless standalone dashboard proxies only for callers presenting the app\'s token', async () => {
  const app = startApp({ SONDE_TOKEN: APP_TOKEN })
  const d = await startDashboard({ port: 0, mode: 'standalone', env: {} })
  try {
    const entry = await registered(app.pid!)
    assert.is((await fetch(`http://127.0.0.1:${entry.port}/api/status`)).status, 401, 'direct, no token')
    for (const r of ['status', 'snapshot', 'metrics', 'bpftrace', 'profiles']) {
      const via = `${d.url}api/proc/${app.pid}/${r}`
      assert.is((await fetch(via)).status, 401, `${r} through the proxy without a token`)
      assert.is((await fetch(via, { headers: bearer('wrong-token-0123456789') })).status, 401, `${r} with a wrong token`)
      assert.is((await fetch(via, { headers: bearer(APP_TOKEN) })).status, 200, `${r} with the app's token`)
    }
    const list = await (await fetch(`${d.url}api/processes`)).text()
    assert.match(list, new RegExp(`"pid":${app.pid}`))
    assert.not.match(list, /hunter2|env-app/, 'no command line without a token')
    assert.not.match(list, new RegExp(APP_TOKEN), 'tokens are never listed')
  } finally { app.kill('SIGKILL'); await d.close() }
})

test('a standalone dashboard with its own token adds the app\'s for its authenticated callers', async () => {
  const app = startApp({ SONDE_TOKEN: APP_TOKEN })
  const own = 'dashboard-token-0123456789'
  const d = await startDashboard({ port: 0, mode: 'standalone', token: own })
  try {
    await registered(app.pid!)
    const via = `${d.url}api/proc/${app.pid}/status`
    assert.is((await fetch(via)).status, 401)
    assert.is((await fetch(via, { headers: bearer(APP_TOKEN) })).status, 401, "the app's token is not this dashboard's")
    const ok = await fetch(via, { headers: bearer(own) })
    assert.is(ok.status, 200)
    assert.is((await ok.json() as { pid: number }).pid, app.pid)
    assert.match(await (await fetch(`${d.url}api/processes`, { headers: bearer(own) })).text(), /hunter2/, 'titles behind the token')
  } finally { app.kill('SIGKILL'); await d.close() }
})

test("a tokenless app's own dashboard does not serve its command line", async () => {
  // PATH without bpftrace: this dashboard cannot start programs, so it may stay tokenless on loopback.
  const app = startApp({ PATH: '/nonexistent', SONDE_TOKEN: '' })
  try {
    const entry = await registered(app.pid!)
    const status = await (await fetch(`http://127.0.0.1:${entry.port}/api/status`)).json() as { pid: number; title: string }
    assert.is(status.pid, app.pid, 'open on loopback')
    assert.not.match(status.title, /hunter2|env-app/)
  } finally { app.kill('SIGKILL') }
})

test.after(() => { fs.rmSync(dir, { recursive: true, force: true }) })

test.run()
