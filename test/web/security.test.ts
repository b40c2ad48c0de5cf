// Dashboard safety: loopback bind by default, a generated token for a non-loopback host without
// one (printed once by the CLI), 401 without the bearer token on
// every data route, CSP (no inline script) and the other headers on every response.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawnSync } from 'node:child_process'
import http from 'node:http'
import path from 'node:path'
import type { AddressInfo } from 'node:net'
import { startDashboard } from '../../web/server'
import { root } from './support/demo-child'

test('binds 127.0.0.1 unless told otherwise', async () => {
  const d = await startDashboard({ port: 0, mode: 'standalone' })
  try {
    const a = d.server.address() as AddressInfo
    assert.is(a.address, '127.0.0.1')
    assert.is(d.url, `http://127.0.0.1:${a.port}/`)
  } finally { await d.close() }
})

test('a non-loopback host without a token gets a generated one (library and CLI, printed once)', async () => {
  const d = await startDashboard({ port: 0, host: '0.0.0.0', mode: 'standalone', env: {} })
  try {
    assert.is(d.tokenSource, 'generated')
    assert.match(d.token!, /^[A-Za-z0-9_-]{43}$/, '256 random bits, base64url')
    const url = `http://127.0.0.1:${d.port}/api/status`
    assert.is((await fetch(url)).status, 401, 'no token: refused')
    assert.is((await fetch(url, { headers: { authorization: `Bearer ${d.token}` } })).status, 200)
  } finally { await d.close() }
  const r = spawnSync(process.execPath, [path.join(root, 'bin/sonde.js'), 'dashboard', '--host', '0.0.0.0', '--port', '0', '--duration', '0.5'], { encoding: 'utf8', timeout: 20_000, env: { ...process.env, SONDE_TOKEN: '', SONDE_TOKEN_FILE: '' } })
  assert.is(r.status, 0, r.stderr)
  const tokens = [...r.stdout.matchAll(/#token=([A-Za-z0-9_-]+)/g)].map((m) => m[1])
  assert.is(tokens.length, 1, `printed once: ${r.stdout}`)
  assert.is(tokens[0].length, 43)
  assert.match(r.stdout, /^sonde dashboard: http:\/\/0\.0\.0\.0:\d+\/#token=/)
  const bad = spawnSync(process.execPath, [path.join(root, 'bin/sonde.js'), 'demo', '--port', 'x'], { encoding: 'utf8', timeout: 20_000 })
  assert.is(bad.status, 2)
  assert.is(bad.stderr.trim().split('\n').length, 1, bad.stderr)
})

test('with a token every data route needs Authorization: Bearer TOKEN', async () => {
  const token = 'k3y-0123456789abcdef'
  const d = await startDashboard({ port: 0, token, mode: 'standalone' })
  try {
    const routes = ['api/status', 'api/snapshot', 'api/stream', 'api/processes', 'api/profiles', 'metrics']
    for (const r of routes) {
      const none = await fetch(d.url + r)
      assert.is(none.status, 401, `${r} without bearer`)
      assert.is(none.headers.get('www-authenticate'), 'Bearer realm="sonde"')
      assert.is((await fetch(d.url + r, { headers: { authorization: 'Bearer wrong-token-000000' } })).status, 401, `${r} wrong bearer`)
      assert.is((await fetch(d.url + r, { headers: { authorization: `Basic ${token}` } })).status, 401, `${r} basic`)
    }
    const post = await fetch(d.url + 'api/profiles?name=x.folded', { method: 'POST', body: 'a;b 1\n' })
    assert.is(post.status, 401, 'upload without bearer')
    const ok = await fetch(d.url + 'api/status', { headers: { authorization: `Bearer ${token}` } })
    assert.is(ok.status, 200)
    assert.is((await ok.json() as { pid: number }).pid, process.pid)
    const stream = await fetch(d.url + 'api/stream', { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(1500) })
    assert.is(stream.status, 200)
    assert.is(stream.headers.get('content-type'), 'text/event-stream; charset=utf-8')
    await stream.body?.cancel()
    // The static shell carries no data; a navigation cannot send the header (see security-headers.ts).
    assert.is((await fetch(d.url)).status, 200)
  } finally { await d.close() }
})

test('CSP and hardening headers on pages, API answers and errors', async () => {
  const d = await startDashboard({ port: 0, mode: 'standalone' })
  try {
    for (const r of ['', 'app.js', 'api/status', 'api/nope', 'nope']) {
      const res = await fetch(d.url + r)
      const csp = res.headers.get('content-security-policy') ?? ''
      assert.match(csp, /default-src 'none'/, r)
      assert.match(csp, /script-src 'self'(;|$)/, r)
      assert.not.match(csp, /unsafe-inline|unsafe-eval/, r)
      assert.match(csp, /frame-ancestors 'none'/)
      assert.is(res.headers.get('x-content-type-options'), 'nosniff')
      assert.is(res.headers.get('x-powered-by'), null)
    }
    const html = await (await fetch(d.url)).text()
    assert.not.match(html.replace(/<script src="app.js" defer><\/script>/, ''), /<script/i, 'no inline script in the page')
    assert.not.match(html, /\son[a-z]+=/i, 'no inline handlers')
  } finally { await d.close() }
})

function request(url: string, method: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method, headers }, (res) => { res.resume(); resolve(res.statusCode ?? 0) })
    req.on('error', reject)
    req.end()
  })
}

test('other web pages: a non-loopback Host (DNS rebinding) and a cross-site POST are refused', async () => {
  const d = await startDashboard({ port: 0, mode: 'standalone' })
  const port = (d.server.address() as AddressInfo).port
  try {
    for (const host of [`evil.example:${port}`, 'evil.example', `10.0.0.1:${port}`]) {
      assert.is(await request(`${d.url}api/status`, 'GET', { host }), 403, `Host ${host}`)
    }
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `[::1]:${port}`]) {
      assert.is(await request(`${d.url}api/status`, 'GET', { host }), 200, `Host ${host}`)
    }
    // A cross-site POST needs no preflight: refused by its Origin (nothing started or stored).
    for (const r of ['api/bpftrace/stop', 'api/record?seconds=1', 'api/profiles?name=x.folded']) {
      assert.is(await request(d.url + r, 'POST', { origin: 'http://evil.example' }), 403, r)
      assert.is(await request(d.url + r, 'POST', { origin: 'null' }), 403, `${r} opaque origin`)
    }
    assert.is(await request(`${d.url}api/bpftrace/stop`, 'POST', { origin: `http://127.0.0.1:${port}` }), 200, 'same-origin POST')
    assert.is(await request(`${d.url}api/bpftrace/stop`, 'POST', {}), 200, 'POST without Origin (curl, the CLI)')
    assert.equal(await (await fetch(`${d.url}api/profiles`)).json(), [], 'the refused upload stored nothing')
  } finally { await d.close() }
})

test.run()
