// A real Prometheus (Debian's package) scrapes a real app under `-r sonde/register` every second,
// with the dashboard's bearer token. Its histogram_quantile() over sonde_gc_duration_seconds and
// the request histograms agrees with /api/snapshot, and `promtool check metrics` accepts the
// exposition. Counts must be equal (the request count is known: 41 per route).
//
// Tolerance: /metrics exports the power-of-two majors of sonde's log-linear histogram as `le`
// (1 µs × 2^k). histogram_quantile() finds the bucket holding rank q × count exactly as sonde
// does, then interpolates linearly across that whole major bucket; sonde interpolates inside one
// of its 16 sub-buckets. Both therefore lie in the same [2^k, 2^(k+1)) µs bucket, and that bucket
// is the check: the two may differ by up to a factor 2, never by a bucket.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawn, execFileSync, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { missing, TEST_TOKEN, testAuth } from '../support/system'

const root = path.resolve(__dirname, '..', '..')
const skip = missing('prometheus')
const N = 41
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => { const p = (s.address() as net.AddressInfo).port; s.close(() => resolve(p)) })
    s.on('error', reject)
  })
}

async function until<T>(what: string, fn: () => Promise<T | undefined>, tries = 300, ms = 100): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const v = await fn().catch(() => undefined)
    if (v !== undefined) return v
    await sleep(ms)
  }
  throw new Error(`${what}: not within ${tries * ms} ms`)
}

/** The [lo, hi] seconds of the power-of-two µs bucket holding a value in ns. */
function majorBucket(ns: number): [number, number] {
  if (ns < 1000) return [0, 1e-6]
  const k = Math.floor(Math.log2(ns / 1000))
  return [2 ** k * 1e-6, 2 ** (k + 1) * 1e-6]
}

interface Summary { count: number; p50: number; p90: number; p99: number }
interface Snap {
  gc: { kinds: { kind: string; count: number; pauseNs: Summary }[] }
  http: { series: { method: string; route: string; status: string; latencyNs: Summary }[] }
  requestCost: { routes: { route: string; measured: number; cpuNs: Summary }[] }
}

if (skip) test.skip(`prometheus scrape (${skip})`, () => {})
else test('Prometheus histogram_quantile over sonde\'s histograms = /api/snapshot; promtool check metrics passes', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sonde-prom-'))
  const procs: ChildProcess[] = []
  try {
    const app = spawn(process.execPath, ['-r', path.join(root, 'dist/register.js'), path.join(__dirname, 'apps/prom-app.js')], {
      env: { ...process.env, SONDE_DASHBOARD: '0', SONDE_TOKEN: TEST_TOKEN, SONDE_COLLECT: 'gc,http,request-cost,eventloop', SONDE_RUNTIME_DIR: dir, REQUESTS: String(N), ALIVE_MS: '120000' },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    procs.push(app)
    let out = '', err = ''
    app.stdout!.on('data', (d) => { out += d })
    app.stderr!.on('data', (d) => { err += d })
    const base = await until('app ready', async () => /ready/.test(out) ? /dashboard on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(err)?.[1] : undefined, 600)
    const target = new URL(base).host

    const exposition = await (await fetch(`${base}metrics`, { headers: testAuth })).text()
    const file = path.join(dir, 'metrics.txt')
    fs.writeFileSync(file, exposition)
    // promtool reads the exposition on stdin; exit 0 and no lint findings
    assert.is(execFileSync('sh', ['-c', `promtool check metrics < ${file}`], { encoding: 'utf8' }), '')

    const promPort = await freePort()
    fs.writeFileSync(path.join(dir, 'prometheus.yml'), [
      'global: { scrape_interval: 1s, scrape_timeout: 1s }',
      'scrape_configs:',
      '  - job_name: sonde-app',
      `    static_configs: [{ targets: ['${target}'] }]`,
      `    authorization: { credentials: '${TEST_TOKEN}' }`,
    ].join('\n') + '\n')
    const prom = spawn('prometheus', [`--config.file=${path.join(dir, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${promPort}`, '--storage.tsdb.retention.time=1h', '--log.level=warn'], { stdio: ['ignore', 'ignore', 'pipe'] })
    procs.push(prom)
    let promErr = ''
    prom.stderr!.on('data', (d) => { promErr = (promErr + d).slice(-4000) })
    const api = `http://127.0.0.1:${promPort}`
    await until('prometheus ready', async () => (await fetch(`${api}/-/ready`)).ok || undefined, 600)
    const query = async (q: string): Promise<number> => {
      const r = await (await fetch(`${api}/api/v1/query?query=${encodeURIComponent(q)}`)).json() as { status: string; data: { result: { value: [number, string] }[] } }
      assert.is(r.status, 'success', q)
      assert.is(r.data.result.length, 1, `${q}: ${JSON.stringify(r.data.result)} ${promErr}`)
      return Number(r.data.result[0].value[1])
    }
    await until('first scrape', async () => (await query('up{job="sonde-app"}').catch(() => 0)) === 1 || undefined, 300)
    const snapshot = async () => await (await fetch(`${base}api/snapshot`, { headers: testAuth })).json() as Snap
    const scavenges = (s: Snap) => s.gc.kinds.find((k) => k.kind === 'scavenge')!.count

    // A scrape between two snapshots that agree: the data Prometheus holds is the snapshot's.
    let a: Snap | undefined
    for (let i = 0; i < 10 && !a; i++) {
      const before = await snapshot()
      await sleep(2500)
      const promCount = await query('sonde_gc_duration_seconds_count{kind="scavenge"}')
      const after = await snapshot()
      if (scavenges(before) === scavenges(after) && promCount === scavenges(after)) a = after
    }
    assert.ok(a, 'a quiet window where Prometheus and /api/snapshot hold the same GCs')
    const s = a!
    const check = async (what: string, promql: string, ns: number): Promise<void> => {
      const v = await query(promql)
      const [lo, hi] = majorBucket(ns)
      assert.ok(v >= lo - 1e-12 && v <= hi + 1e-12, `${what}: Prometheus ${v} s, snapshot ${ns / 1e9} s, bucket [${lo}, ${hi}]`)
    }
    const gc = s.gc.kinds.find((k) => k.kind === 'scavenge')!
    assert.ok(gc.count >= 5, `scavenges: ${gc.count}`)
    for (const q of ['p50', 'p90', 'p99'] as const) {
      await check(`gc scavenge ${q}`, `histogram_quantile(0.${q.slice(1)}, sonde_gc_duration_seconds_bucket{kind="scavenge"})`, gc.pauseNs[q])
    }
    for (const route of ['/wait/:id', '/work/:id']) {
      const h = s.http.series.find((x) => x.route === route && x.status === '200')!
      assert.is(h.latencyNs.count, N, `${route}: ${N} requests in the snapshot`)
      assert.is(await query(`sonde_http_request_duration_seconds_count{route="${route}",status="200"}`), N, `${route}: ${N} in Prometheus`)
      for (const q of ['p50', 'p90', 'p99'] as const) {
        await check(`http ${route} ${q}`, `histogram_quantile(0.${q.slice(1)}, sonde_http_request_duration_seconds_bucket{route="${route}",status="200"})`, h.latencyNs[q])
      }
      const c = s.requestCost.routes.find((x) => x.route === route)!
      assert.is(await query(`sonde_request_cpu_seconds_count{route="${route}"}`), c.measured)
      await check(`cpu ${route} p50`, `histogram_quantile(0.5, sonde_request_cpu_seconds_bucket{route="${route}"})`, c.cpuNs.p50)
    }
    // the prom-client name of the same histogram
    assert.is(await query('sum(nodejs_gc_duration_seconds_count{kind="minor"})'), s.gc.kinds.filter((k) => k.kind === 'scavenge' || k.kind === 'minor_mark_compact').reduce((x, k) => x + k.count, 0))
  } finally {
    for (const p of procs) p.kill()
    await sleep(200)
    fs.rmSync(dir, { recursive: true, force: true })
  }
})

test.run()
