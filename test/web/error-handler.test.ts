// Errors never reach the host app's stderr and never show a stack: a bad %-escape in any route
// parameter is 400 (a static path that cannot be decoded is 404) with one JSON line, the app's stderr stays empty. A
// hostile page (another origin, real Chromium) with 50 <img> tags aimed at such URLs of the
// app's dashboard writes nothing to the app's stderr either.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import http from 'node:http'
import os from 'node:os'
import path from 'node:path'
import type { AddressInfo } from 'node:net'
import { missing } from '../support/system'
import { root } from './support/demo-child'
import { launchChromium } from './support/browser'

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sonde-rt-'))
const BAD = ['api/profiles/%ZZ/flame.json', 'api/profiles/%ZZ/callgraph.svg', 'api/profiles/p1/export.%ZZ', 'api/proc/%ZZ/status', 'api/proc/1/%ZZ']

/** An app with its dashboard, tokenless on loopback (no bpftrace on PATH): its stderr collected,
 * but for the one line the dashboard prints when it starts (its URL), checked here once. */
async function startApp(): Promise<{ app: ChildProcess; dash: string; stderr(): string }> {
  const app = spawn(process.execPath, ['-r', path.join(root, 'dist/register.js'), path.join(__dirname, 'support/env-app.js')], {
    env: { ...process.env, PATH: '/nonexistent', SONDE_TOKEN: '', SONDE_DASHBOARD: '0', SONDE_RUNTIME_DIR: dir, ALIVE_MS: '120000', NODE_DEBUG: '' }, stdio: ['ignore', 'ignore', 'pipe'],
  })
  let err = ''
  app.stderr!.on('data', (d) => { err += d })
  const file = path.join(dir, `${app.pid}.json`)
  for (let i = 0; i < 150 && !fs.existsSync(file); i++) await new Promise((r) => setTimeout(r, 100))
  const port = (JSON.parse(fs.readFileSync(file, 'utf8')) as { port: number }).port
  const started = `sonde: dashboard on http://127.0.0.1:${port}/ (pid ${app.pid})\n`
  for (let i = 0; i < 50 && !err.includes(started); i++) await new Promise((r) => setTimeout(r, 100))
  assert.ok(err.startsWith(started), `the dashboard's first line: ${JSON.stringify(err.slice(0, 200))}`)
  return { app, dash: `http://127.0.0.1:${port}/`, stderr: () => err.slice(started.length) }
}

test('bad %-escapes: 400, one JSON line, no stack, nothing on the app\'s stderr', async () => {
  const { app, dash, stderr } = await startApp()
  try {
    for (const r of BAD) {
      const res = await fetch(dash + r)
      assert.is(res.status, 400, r)
      assert.match(res.headers.get('content-type') ?? '', /^application\/json/, r)
      const text = await res.text()
      assert.equal(JSON.parse(text), { error: 'bad %-escape in the URL' }, r)
      assert.not.match(text, /\bat |node_modules|\/work\//, r)
    }
    assert.is((await fetch(`${dash}%ZZ`)).status, 404, 'a static path that cannot be decoded is just not found')
    await new Promise((r) => setTimeout(r, 200))
    assert.is(stderr(), '')
  } finally { app.kill('SIGKILL') }
})

test('50 hostile <img> tags on another origin write nothing to the app\'s stderr', async () => {
  const skip = missing('chromium')
  if (skip) { console.log(`skip: ${skip}`); return }
  const { app, dash, stderr } = await startApp()
  const imgs = Array.from({ length: 50 }, (_, i) => `<img src="${dash}${BAD[i % BAD.length]}?n=${i}">`).join('\n')
  const hostile = http.createServer((_req, res) => { res.setHeader('content-type', 'text/html'); res.end(`<!doctype html><title>hostile</title>${imgs}`) })
  await new Promise<void>((r) => hostile.listen(0, '127.0.0.1', () => r()))
  const browser = await launchChromium()
  try {
    const page = await browser.context.newPage()
    let answered = 0
    page.on('requestfinished', (r) => { if (r.url().startsWith(dash)) answered++ })
    page.on('requestfailed', (r) => { if (r.url().startsWith(dash)) answered++ })
    // localhost vs 127.0.0.1: another site to the browser.
    await page.goto(`http://localhost:${(hostile.address() as AddressInfo).port}/`, { waitUntil: 'load' })
    for (let i = 0; i < 100 && answered < 50; i++) await page.waitForTimeout(50)
    assert.is(answered, 50, 'every <img> reached the dashboard')
    await new Promise((r) => setTimeout(r, 300))
    assert.is(stderr(), '')
  } finally {
    await browser.close()
    hostile.close()
    app.kill('SIGKILL')
  }
})

test.after(() => { fs.rmSync(dir, { recursive: true, force: true }) })

test.run()
