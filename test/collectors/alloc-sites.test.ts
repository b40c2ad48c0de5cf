// Allocation sites through the product path: `node -r dist/register.js` with the default
// collectors (V8's sampling heap profiler at the default interval), /api/snapshot read over
// HTTP. Known workload: makeRecords allocates ~20× makeSmall. Second test: sonde's own
// allocations (the dashboard read in rounds of 200 requests) are counted apart and never listed
// as sites. Truth: the function's name and the line of its declaration in the fixture source
// (V8 attributes samples to the allocating function; AllocationProfile nodes carry the 1-based
// line where that function starts) and the fixture's path.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import http from 'node:http'
import net from 'node:net'
import path from 'node:path'
import { TEST_TOKEN, testAuth } from '../support/system'

const root = path.resolve(__dirname, '../..')
const app = path.join(__dirname, 'apps/alloc-sites.js')

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

/** The fixture under `-r dist/register.js` with its dashboard; resolves once it printed DONE. */
async function startApp(): Promise<{ dash: number; c: ChildProcess }> {
  const dash = await freePort()
  const c = spawn(process.execPath, ['-r', path.join(root, 'dist/register.js'), app], {
    env: { ...process.env, SONDE_COLLECT: 'default', SONDE_DASHBOARD: String(dash), SONDE_TOKEN: TEST_TOKEN }, stdio: ['pipe', 'pipe', 'inherit'],
  })
  await new Promise<void>((resolve, reject) => {
    let out = ''
    c.stdout!.on('data', (d) => { out += d; if (out.includes('DONE')) resolve() })
    c.on('exit', (code) => reject(new Error(`app exited ${code}`)))
  })
  return { dash, c }
}

function declarationLine(source: string, fn: string): number {
  return source.split('\n').findIndex((l) => l.startsWith(`function ${fn}(`)) + 1
}

test('top allocation site is the allocating function (name, url, line); sorted by bytes; size histogram; interval ≥ 32 KiB', async () => {
  const { dash, c } = await startApp()
  try {
    const alloc = JSON.parse(await get(dash, '/api/snapshot')).alloc
    assert.ok(alloc, 'alloc section present')
    const sites = alloc.sites as { function: string; url: string; line: number; bytes: number; samples: number }[]
    for (const s of sites.slice(0, 4)) process.stdout.write(`  ${s.function} ${path.basename(s.url)}:${s.line} ${(s.bytes / 1e6).toFixed(1)} MB (${s.samples} samples)\n`)
    const src = fs.readFileSync(app, 'utf8')
    assert.ok(alloc.intervalBytes >= 32 * 1024, `default interval ${alloc.intervalBytes}`)
    assert.is(sites[0].function, 'makeRecords')
    assert.is(sites[0].url.replace(/^file:\/\//, ''), app)
    assert.is(sites[0].line, declarationLine(src, 'makeRecords'))
    for (let i = 1; i < sites.length; i++) assert.ok(sites[i - 1].bytes >= sites[i].bytes, 'sorted by bytes')
    const small = sites.find((s) => s.function === 'makeSmall')
    if (small) assert.ok(sites[0].bytes > 5 * small.bytes, `makeRecords ${sites[0].bytes} vs makeSmall ${small.bytes}`)
    assert.ok(sites[0].bytes > 0.5 * alloc.totalBytes, 'the top site holds most sampled bytes')
    // Size histogram: object sizes weighted by the objects each sample stands for. The workload's
    // objects are small (records, short strings, 3-element arrays: < 128 B each) except the
    // growing `out` arrays' backing stores (up to 20 000 × 8 B).
    const z = alloc.objectSizeBytes
    process.stdout.write(`  object sizes: ~${z.count} objects, p50 ${z.p50} B, p99 ${z.p99} B, max ${z.max} B (${alloc.samples} samples)\n`)
    assert.ok(alloc.histogram && alloc.histogram.count === z.count && z.count > alloc.samples, 'histogram counts estimated objects')
    assert.ok(z.p50 >= 8 && z.p50 <= 128, `median object size ${z.p50}`)
    assert.ok(z.max >= 64 * 1024, `the largest sampled object is an array backing store (${z.max})`)
  } finally {
    c.stdin!.end()
    c.kill()
  }
})

test('allocation sites hold the app\'s functions only; sonde\'s own bytes are counted apart', async () => {
  const { dash, c } = await startApp()
  try {
    // The dashboard's own work next to the app's: snapshots and Prometheus expositions, in rounds
    // until the sampler has polled a sample of it. How many that takes varies: after the
    // fixture's ~200 MB/s the rate cap has raised the interval to megabytes (it halves back once a
    // poll, every second), and 200 requests allocate a few megabytes.
    type Alloc = { sites: { function: string; url: string; line: number }[]; ownBytes: number; totalBytes: number }
    // Truth: the files of sonde's rooms under dist/ (the fixture lives under test/).
    const rooms = new RegExp(`^(file://)?${path.join(root, 'dist')}/(collectors|runtime|probes|web|viz|tracer|bpftrace|inspect|cli)/`)
    let alloc!: Alloc, rounds = 0
    for (; rounds < 30; rounds++) {
      for (let i = 0; i < 100; i++) { await get(dash, '/api/snapshot'); await get(dash, '/metrics') }
      await new Promise((r) => setTimeout(r, 1100)) // > the sampler's 1 s poll
      alloc = JSON.parse(await get(dash, '/api/snapshot')).alloc as Alloc
      assert.equal(alloc.sites.filter((x) => rooms.test(x.url)).map((x) => `${x.function} ${x.url}:${x.line}`), [], 'no site in sonde\'s own files')
      if (alloc.ownBytes > 0) break
    }
    console.log(`  sonde's own: ${(alloc.ownBytes / 1e6).toFixed(2)} MB of ${(alloc.totalBytes / 1e6).toFixed(1)} MB sampled (after ${rounds + 1} rounds of 100 snapshots and scrapes)`)
    assert.ok(alloc.ownBytes > 0, 'sonde\'s own allocations were sampled and set apart')
    assert.is(alloc.sites[0].function, 'makeRecords', 'the app\'s top site stays on top')
  } finally {
    c.stdin!.end()
    c.kill()
  }
})

test.run()
