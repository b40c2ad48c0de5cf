#!/usr/bin/env node
// Static-probe cost (not a test). Run after `npm run compile` and `node scripts/build-native.js`:
//   node bench/probe-cost.js [repeats=7]
// 1. Disabled site: `if (p.enabled) p.fire(a, b)` against the same loop guarded by a plain
//    Uint16Array flag (the baseline), interleaved in one process; difference in ns per site.
// 2. Enabled fire, as root with bpftrace: bpftrace attached with empty actions to
//    usdt sonde:msg__send and to a bare uprobe on sonde_bench_empty (an empty native function
//    reached through one N-API call, addon.benchEmpty()); ratio of the two per-call costs,
//    measured in the same run. Also shown: both without a tracer (semaphore forced on).
// Medians of `repeats`; prints a markdown table.
'use strict'
const { spawn, execFileSync } = require('node:child_process')
const path = require('node:path')
const dist = path.join(__dirname, '..', 'dist', 'probes')
const { sondeProbes, semaphores, probeIndex } = require(path.join(dist, 'static-probes.js'))
const { nativeAddon, addonStatus } = require(path.join(dist, 'addon.js'))

const repeats = Number(process.argv[2] || 7)
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); return s[s.length >> 1] }
const now = () => process.hrtime.bigint()

const p = sondeProbes.msg__send
const flag = new Uint16Array(semaphores().length)
const IDX = probeIndex(p.spec)
const sink = (a, b, c, d) => { void a; void b; void c; void d }

function disabledProbe(n) {
  let acc = 0
  const t = now()
  for (let i = 0; i < n; i++) { if (p.enabled) p.fire(i, i, -1, 0); acc += i }
  return [Number(now() - t) / n, acc]
}
function plainFlag(n) {
  let acc = 0
  const t = now()
  for (let i = 0; i < n; i++) { if (flag[IDX] !== 0) sink(i, i, -1, 0); acc += i }
  return [Number(now() - t) / n, acc]
}
function fireLoop(n) {
  const t = now()
  for (let i = 0; i < n; i++) p.fire(i, i, -1, 0)
  return Number(now() - t) / n
}
function emptyLoop(n) {
  const a = nativeAddon()
  const t = now()
  for (let i = 0; i < n; i++) a.benchEmpty()
  return Number(now() - t) / n
}

function pair(f, g, n, rounds = repeats) {
  f(n / 10); g(n / 10)  // warm up (optimize both)
  const a = [], b = []
  const one = (h) => { const x = h(n); return Array.isArray(x) ? x[0] : x }
  for (let r = 0; r < rounds; r++) { a.push(one(f)); b.push(one(g)) }
  return [median(a), median(b)]
}

function attach(script) {
  return new Promise((resolve, reject) => {
    const b = spawn('bpftrace', ['-B', 'none', '-p', String(process.pid), '-e', `BEGIN { printf("READY\\n"); } ${script}`], { stdio: ['ignore', 'pipe', 'pipe'] })
    let out = '', err = ''
    b.stdout.on('data', (d) => { out += d; if (out.includes('READY\n')) resolve(b) })
    b.stderr.on('data', (d) => { err += d })
    b.on('exit', (c) => reject(new Error(`bpftrace exited ${c}: ${err}`)))
  })
}

async function main() {
  if (!addonStatus().loaded) throw new Error(`addon not loaded: ${addonStatus().error}`)
  const rows = []
  const [dis, base] = pair(disabledProbe, plainFlag, 20_000_000)
  rows.push(['disabled site `if (p.enabled) p.fire(...)`', dis, base, `${dis >= base ? '+' : ''}${(dis - base).toFixed(2)} ns`])

  const sem = semaphores()
  sem[IDX] = 1
  const [fireNoTracer, emptyNoTracer] = pair(fireLoop, emptyLoop, 2_000_000)
  sem[IDX] = 0
  rows.push(['enabled fire, no tracer (semaphore forced on) vs empty N-API call', fireNoTracer, emptyNoTracer, `${(fireNoTracer / emptyNoTracer).toFixed(2)}×`])

  let root
  try { root = process.getuid() === 0 && !!execFileSync('sh', ['-c', 'command -v bpftrace'], { encoding: 'utf8' }).trim() } catch { root = false }
  if (root) {
    const A = addonStatus().path
    const b = await attach(`usdt:${A}:sonde:msg__send {} uprobe:${A}:sonde_bench_empty {}`)
    if (!p.enabled) throw new Error('msg__send not enabled while attached')
    // uprobe traps are noisy on a shared machine: more, shorter alternating rounds
    const [fireTraced, emptyTraced] = pair(fireLoop, emptyLoop, 50_000, Math.max(repeats, 21))
    b.kill('SIGINT')
    rows.push(['enabled fire, bpftrace empty action vs bare uprobe on an empty native function', fireTraced, emptyTraced, `${(fireTraced / emptyTraced).toFixed(2)}× (+${(fireTraced - emptyTraced).toFixed(0)} ns)`])
  } else {
    rows.push(['enabled fire under bpftrace', NaN, NaN, 'skipped: needs root + bpftrace'])
  }
  process.stdout.write(`probe-cost: medians of ${repeats} (Node ${process.version})\n\n| case | sonde ns/op | baseline ns/op | difference |\n|---|---|---|---|\n`)
  for (const [name, a, b, d] of rows) process.stdout.write(`| ${name} | ${a.toFixed(2)} | ${b.toFixed(2)} | ${d} |\n`)
}

main().catch((err) => { process.stderr.write(`probe-cost: ${err.message}\n`); process.exit(1) })
