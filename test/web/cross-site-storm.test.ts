// The observed app's own HTTP latency while its in-process dashboard is hit with call-graph
// renders, measured against the same app with no storm in the same run (a shared machine:
// bounds are ratios and fractions of a render's measured time, never absolute times).
// - 16 cross-site no-cors GETs (what <img src=…/callgraph.svg?nodeThres=…> sends: Sec-Fetch-Site:
//   cross-site, no credentials) to a tokenless loopback dashboard: all refused, no render done,
//   the app's median and worst latency stay near the baseline.
// - 4 same-origin renders: they run in the profile worker, so the app's latency stays far below
//   the time of one render (on the app's thread each request would wait for a whole render).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { root } from './support/demo-child'

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sonde-rt-'))

/** A folded profile whose SVG layout takes a few hundred ms (40 functions, 2000 stacks). */
function heavyFolded(): string {
  let seed = 7
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648
  const out: string[] = []
  for (let i = 0; i < 2000; i++) {
    const stack = Array.from({ length: 4 + Math.floor(rnd() * 8) }, () => `fn${Math.floor(rnd() * 40)}`)
    out.push(`${stack.join(';')} ${1 + Math.floor(rnd() * 50)}`)
  }
  return out.join('\n') + '\n'
}

async function timed(url: string, headers: Record<string, string> = {}): Promise<[number, number]> {
  const t0 = performance.now()
  const res = await fetch(url, { headers })
  await res.arrayBuffer()
  return [res.status, performance.now() - t0]
}

/** Sequential GETs to the app until `until` settles and at least `min` were made: latencies in ms. */
async function ping(appUrl: string, min: number, until: Promise<unknown> = Promise.resolve()): Promise<number[]> {
  let settled = false
  void until.finally(() => { settled = true })
  const out: number[] = []
  while (!settled || out.length < min) {
    out.push((await timed(appUrl))[1])
    await new Promise((r) => setTimeout(r, 5))
  }
  return out
}

const median = (a: number[]) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)]
const worst = (a: number[]) => Math.max(...a)
const fmt = (a: number[]) => `median ${median(a).toFixed(1)} ms, worst ${worst(a).toFixed(1)} ms (${a.length} requests)`

test('cross-site GET storm: refused without work; the app latency stays at its baseline', async () => {
  // PATH without bpftrace and no token: a loopback dashboard that starts nothing may stay open;
  // only the cross-site check stands between the page and the renderer.
  const app = spawn(process.execPath, ['-r', path.join(root, 'dist/register.js'), path.join(__dirname, 'support/env-app.js')], {
    env: { ...process.env, PATH: '/nonexistent', SONDE_TOKEN: '', SONDE_DASHBOARD: '0', SONDE_RUNTIME_DIR: dir, ALIVE_MS: '180000', APP_PORT_FILE: path.join(dir, 'app-port') }, stdio: 'ignore',
  })
  try {
    const file = path.join(dir, `${app.pid}.json`)
    for (let i = 0; i < 150 && !(fs.existsSync(file) && fs.existsSync(path.join(dir, 'app-port'))); i++) await new Promise((r) => setTimeout(r, 100))
    const dash = `http://127.0.0.1:${(JSON.parse(fs.readFileSync(file, 'utf8')) as { port: number }).port}/`
    const appUrl = `http://127.0.0.1:${fs.readFileSync(path.join(dir, 'app-port'), 'utf8')}/work`
    const up = await fetch(`${dash}api/profiles?name=heavy.folded`, { method: 'POST', body: heavyFolded() })
    assert.is(up.status, 201, await up.clone().text())
    const { id } = await up.json() as { id: string }
    const svg = (thres: number) => `${dash}api/profiles/${id}/callgraph.svg?nodeThres=${thres}&edgeThres=0`
    assert.is((await timed(svg(0.00004)))[0], 200, 'warm-up render (Graphviz loads)')
    const [, renderMs] = await timed(svg(0.00005))
    const jobs = async () => ((await (await fetch(`${dash}api/status`)).json()) as { profileWorker: { jobsDone: number } }).profileWorker.jobsDone
    await ping(appUrl, 20)  // warm-up: keep-alive sockets, JIT
    const base = await ping(appUrl, 80)

    const jobsBefore = await jobs()
    const img = { 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors', 'sec-fetch-dest': 'image' }
    const storm = Promise.all(Array.from({ length: 16 }, (_, i) => timed(svg(0.0001 + i * 0.0001), img)))
    const during = await ping(appUrl, 80, storm)
    const statuses = (await storm).map(([s]) => s)
    assert.equal([...new Set(statuses)], [403], `cross-site answers: ${statuses}`)
    assert.is(await jobs(), jobsBefore, 'no render was started')

    const same = { 'sec-fetch-site': 'same-origin', 'sec-fetch-mode': 'cors', 'sec-fetch-dest': 'empty' }
    const renders = Promise.all(Array.from({ length: 4 }, (_, i) => timed(svg(0.01 + i * 0.001), same)))
    const rendering = await ping(appUrl, 40, renders)
    assert.equal((await renders).map(([s]) => s), [200, 200, 200, 200])

    console.log(`  one render ${renderMs.toFixed(0)} ms; app baseline ${fmt(base)}; cross-site storm ${fmt(during)}; same-origin renders ${fmt(rendering)}`)
    assert.ok(median(during) <= 3 * median(base), `cross-site storm median ${median(during).toFixed(1)} ms vs baseline ${median(base).toFixed(1)} ms`)
    assert.ok(worst(during) <= Math.max(3 * worst(base), renderMs / 4), `cross-site storm worst ${worst(during).toFixed(1)} ms vs baseline ${worst(base).toFixed(1)} ms, a render ${renderMs.toFixed(0)} ms`)
    assert.ok(worst(rendering) < renderMs / 2, `while rendering, worst ${worst(rendering).toFixed(1)} ms vs one render ${renderMs.toFixed(0)} ms`)
    assert.ok(median(rendering) < renderMs / 10, `while rendering, median ${median(rendering).toFixed(1)} ms vs one render ${renderMs.toFixed(0)} ms`)
  } finally { app.kill('SIGKILL') }
})

test.after(() => { fs.rmSync(dir, { recursive: true, force: true }) })

test.run()
