// The dashboard's GC timeline, GC-by-kind and allocation views read /api/snapshot: a real
// `sonde demo` (express app + worker pool + load, collectors started by the demo) must fill the
// gc and alloc sections within a few seconds, including GCs of the worker threads (forwarded).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawn } from 'node:child_process'
import http from 'node:http'
import path from 'node:path'
import { TEST_TOKEN, testAuth } from '../support/system'

const root = path.resolve(__dirname, '../..')

function get(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http.get(url, { headers: testAuth }, (res) => { let b = ''; res.setEncoding('utf8'); res.on('data', (d) => (b += d)); res.on('end', () => resolve(b)) }).on('error', reject)
  })
}

test('sonde demo: /api/snapshot has GC kinds, a GC timeline (main + workers) and allocation sites', async () => {
  const c = spawn(process.execPath, [path.join(root, 'bin/sonde.js'), 'demo', '--port', '0', '--duration', '12'], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SONDE_TOKEN: TEST_TOKEN } })
  let err = ''
  c.stderr!.on('data', (d) => { err += d })
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let out = ''
      c.stdout!.on('data', (d) => { out += d; const m = /dashboard on (http:\/\/127\.0\.0\.1:\d+)\//.exec(out); if (m) resolve(m[1]) })
      c.on('exit', (code) => reject(new Error(`demo exited ${code}: ${err}`)))
    })
    await new Promise((r) => setTimeout(r, 6000))
    const s = JSON.parse(await get(`${url}/api/snapshot`))
    const kinds = s.gc.kinds.map((k: { kind: string; count: number }) => `${k.kind}=${k.count}`).join(' ')
    const threads = new Set(s.gc.recent.map((g: { threadId: number }) => g.threadId))
    process.stdout.write(`  gc: ${s.gc.count} (${kinds}), timeline ${s.gc.recent.length} from threads ${[...threads].join(',')}; alloc: ${s.alloc.sites.length} sites, top ${s.alloc.sites[0]?.function} ${(s.alloc.totalBytes / 1e6).toFixed(0)} MB sampled\n`)
    assert.ok(s.gc.count > 0 && s.gc.kinds.some((k: { kind: string }) => k.kind === 'scavenge'), 'GCs by kind')
    assert.ok(s.gc.recent.length > 0, 'GC timeline')
    assert.ok(threads.has(0) && threads.size >= 2, 'main thread and worker GCs on the timeline')
    assert.ok(s.alloc.sites.length > 0 && s.alloc.totalBytes > 0, 'allocation sites')
    assert.ok(s.alloc.histogram.count > 0, 'allocation size histogram')
  } finally {
    c.kill('SIGINT')
  }
})

test.run()
