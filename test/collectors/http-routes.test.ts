// The http collector through the product path: an express app under `node -r dist/register.js`
// (SONDE_COLLECT=default), real HTTP on 127.0.0.1, counts read from GET /metrics. Truth: the
// requests the test itself sent, by method, route and status: 23 GET /api/items/:id (a
// sub-router), 7 POST /things (201), 11 GET /slow answered after a 5 ms timer and sent 11 at a
// time (overlapping requests), 5 GET to unknown paths (404, bounded path template), then four
// requests pipelined on one connection (a /slow ahead of an immediate one). Run twice:
// collectors alone, and with the app's own httpEvents listener subscribed (the hook then also
// builds events; nothing may be counted twice, and that listener sees every response). sonde's
// own /metrics and /api/snapshot server runs in the same process: its requests are not the
// app's and must reach neither (the scrape is requested twice, then the counts read again).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawn } from 'node:child_process'
import http from 'node:http'
import net from 'node:net'
import path from 'node:path'
import { TEST_TOKEN, testAuth } from '../support/system'

const root = path.resolve(__dirname, '../..')

function freePort(): Promise<number> {
  return new Promise((resolve) => { const s = net.createServer().listen(0, '127.0.0.1', () => { const p = (s.address() as net.AddressInfo).port; s.close(() => resolve(p)) }) })
}

function request(agent: http.Agent, port: number, method: string, p: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: p, method, agent }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode ?? 0)) })
    req.on('error', reject)
    req.end()
  })
}

function count(text: string, method: string, route: string, status: number): number {
  const head = `sonde_http_request_duration_seconds_count{method="${method}",route="${route}",status="${status}"}`
  const line = text.split('\n').find((l) => l.startsWith(head + ' '))
  return line ? Number(line.slice(head.length + 1)) : 0
}

/** Sends the requests ('METHOD /path') pipelined in one write on one connection (the last closes it); the response statuses in order. */
function pipelined(port: number, requests: string[]): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1')
    let got = ''
    s.setEncoding('utf8')
    s.on('data', (d) => { got += d })
    s.on('error', reject)
    s.on('end', () => resolve([...got.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1]))))
    s.write(requests.map((r, i) => `${r} HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n${i === requests.length - 1 ? 'Connection: close\r\n' : ''}\r\n`).join(''))
  })
}

async function run(extraListener: boolean): Promise<void> {
  const dash = await freePort()
  const c = spawn(process.execPath, ['-r', path.join(root, 'dist/register.js'), path.join(__dirname, 'apps/http-routes.js')], {
    cwd: root, stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, SONDE_COLLECT: 'default', SONDE_DASHBOARD: String(dash), SONDE_TOKEN: TEST_TOKEN, SONDE_EXTRA_LISTENER: extraListener ? '1' : '0', SONDE_DIST: path.join(root, 'dist') },
  })
  let out = ''
  c.stdout!.setEncoding('utf8')
  c.stdout!.on('data', (d) => { out += d })
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const t = setInterval(() => { const m = /PORT (\d+)/.exec(out); if (m) { clearInterval(t); resolve(Number(m[1])) } }, 20)
      c.on('exit', (code) => { clearInterval(t); reject(new Error(`app exited ${code}`)) })
    })
    const agent = new http.Agent({ keepAlive: true, maxSockets: 11 })
    for (let i = 0; i < 23; i++) assert.is(await request(agent, port, 'GET', `/api/items/${i}`), 200)
    for (let i = 0; i < 7; i++) assert.is(await request(agent, port, 'POST', '/things'), 201)
    assert.equal(await Promise.all(Array.from({ length: 11 }, () => request(agent, port, 'GET', '/slow'))), Array(11).fill(200))
    for (let i = 0; i < 5; i++) assert.is(await request(agent, port, 'GET', `/nope/${i}`), 404)
    agent.destroy()
    // Pipelined on one socket in one write: Node answers them in order, so the immediate
    // /api/items response waits behind /slow's; each must still be counted once, under its route.
    const statuses = await pipelined(port, ['GET /slow', 'GET /api/items/7', 'GET /slow', 'POST /things'])
    assert.equal(statuses, [200, 200, 200, 201])
    const scrape = (p: string) => new Promise<string>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port: dash, path: p, headers: testAuth }, (res) => { let b = ''; res.setEncoding('utf8'); res.on('data', (d) => (b += d)); res.on('end', () => resolve(b)) }).on('error', reject)
    })
    await scrape('/metrics'); await scrape('/api/snapshot')
    const text = await scrape('/metrics')
    const lines = text.split('\n').filter((l) => l.startsWith('sonde_http_request_duration_seconds_count')).join('\n')
    assert.is(count(text, 'GET', '/api/items/:id', 200), 24, lines)
    assert.is(count(text, 'POST', '/things', 201), 8, lines)
    assert.is(count(text, 'GET', '/slow', 200), 13, lines)
    assert.is(count(text, 'GET', '/nope/:id', 404), 5, lines)
    const total = lines.split('\n').reduce((s, l) => s + Number(l.slice(l.lastIndexOf(' ') + 1)), 0)
    assert.is(total, 50, `every request once: ${lines}`)
    c.stdin!.end()
    await new Promise((r) => c.once('exit', r))
    const seen = JSON.parse(/SEEN (.*)/.exec(out)![1])
    assert.equal(seen, extraListener ? { 'GET 200': 37, 'POST 201': 8, 'GET 404': 5 } : {})
  } finally {
    c.kill()
  }
}

test('http collector from a real express server: counts by method, route (sub-router, template) and status', () => run(false))
test('... and the same with another httpEvents listener subscribed: nothing counted twice, that listener sees all', () => run(true))

test.run()
