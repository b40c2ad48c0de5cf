// sonde's own allocations are not the app's: a real app under `node -r dist/register.js`
// (default collectors, V8's sampling heap profiler) whose dashboard is read 400 times, so
// sonde's collectors and dashboard allocate next to the app. Truth: the files of the sites
// (sonde's rooms under dist/ vs the fixture), and the collector's count of what it set apart.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawn } from 'node:child_process'
import http from 'node:http'
import net from 'node:net'
import path from 'node:path'
import { TEST_TOKEN, testAuth } from '../support/system'

const root = path.resolve(__dirname, '../..')
const app = path.join(__dirname, 'apps/alloc-sites.js')
const SONDE_ROOMS = new RegExp(`^(file://)?${path.join(root, 'dist')}/(collectors|runtime|probes|web|viz|tracer|bpftrace|inspect|cli)/`)

function freePort(): Promise<number> {
  return new Promise((resolve) => { const s = net.createServer().listen(0, '127.0.0.1', () => { const p = (s.address() as net.AddressInfo).port; s.close(() => resolve(p)) }) })
}

function get(port: number, p: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: p, headers: testAuth }, (res) => {
      let body = ''; res.setEncoding('utf8'); res.on('data', (d) => (body += d)); res.on('end', () => resolve(body))
    }).on('error', reject)
  })
}

test('allocation sites hold the app\'s functions only; sonde\'s own bytes are counted apart', async () => {
  const dash = await freePort()
  const c = spawn(process.execPath, ['-r', path.join(root, 'dist/register.js'), app], {
    env: { ...process.env, SONDE_COLLECT: 'default', SONDE_DASHBOARD: String(dash), SONDE_TOKEN: TEST_TOKEN }, stdio: ['pipe', 'pipe', 'inherit'],
  })
  try {
    await new Promise<void>((resolve, reject) => {
      let out = ''
      c.stdout!.on('data', (d) => { out += d; if (out.includes('DONE')) resolve() })
      c.on('exit', (code) => reject(new Error(`app exited ${code}`)))
    })
    // The dashboard's own work: snapshots and Prometheus expositions, one at a time.
    for (let i = 0; i < 200; i++) { await get(dash, '/api/snapshot'); await get(dash, '/metrics') }
    await new Promise((r) => setTimeout(r, 400)) // > the sampler's 250 ms poll
    const alloc = JSON.parse(await get(dash, '/api/snapshot')).alloc as { sites: { function: string; url: string; line: number; bytes: number }[]; ownBytes: number; totalBytes: number }
    for (const s of alloc.sites.slice(0, 5)) process.stdout.write(`  ${s.function} ${path.basename(s.url)}:${s.line} ${(s.bytes / 1e6).toFixed(1)} MB\n`)
    console.log(`  sonde's own: ${(alloc.ownBytes / 1e6).toFixed(2)} MB of ${(alloc.totalBytes / 1e6).toFixed(1)} MB sampled`)
    const ours = alloc.sites.filter((s) => SONDE_ROOMS.test(s.url))
    assert.equal(ours.map((s) => `${s.function} ${s.url}:${s.line}`), [], 'no site in sonde\'s own files')
    assert.ok(alloc.ownBytes > 0, 'sonde\'s own allocations were sampled and set apart')
    assert.is(alloc.sites[0].function, 'makeRecords', 'the app\'s top site stays on top')
  } finally {
    c.stdin!.end()
    await new Promise((r) => { if (c.exitCode !== null) r(null); else c.on('exit', r) })
  }
})

test.run()
