// Dynamic-probe cost (same process, medians of 7 runs):
//  1. disabled guarded site `if (p.enabled) p.fire(i)` vs the same loop over a plain Uint16Array flag;
//  2. unguarded `p.fire(i)` on a disabled probe vs an empty loop;
//  3. enabled fire, no tracer (semaphores set by hand, so the stub's nop runs without a uprobe):
//     dynamic probe vs the addon's static probe sonde:loop__lag (same i64 argument);
//  4. with root + bpftrace: both attached by bpftrace -p (real uprobe hits), dynamic vs static.
// Run: node --import tsx bench/dynamic-probe-cost.ts
import { spawn } from 'node:child_process'
import { createProvider, type DynamicProbe } from '../probes/dynamic/provider'
import { semaphores, probeIndex, sondeProbes } from '../probes/static-probes'

const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[xs.length >> 1]
const ns = (t0: bigint, n: number) => Number(process.hrtime.bigint() - t0) / n
let sink = 0

const provider = createProvider('benchdyn')
const p = provider.probe('op', ['i64'])
provider.enable()
const flag = new Uint16Array(1)

function flagLoop(n: number): number { const t0 = process.hrtime.bigint(); for (let i = 0; i < n; i++) if (flag[0] !== 0) sink += i; return ns(t0, n) }
function guardedLoop(n: number): number { const t0 = process.hrtime.bigint(); for (let i = 0; i < n; i++) if (p.enabled) p.fire(i); return ns(t0, n) }
function emptyLoop(n: number): number { const t0 = process.hrtime.bigint(); for (let i = 0; i < n; i++) sink += i & 1; return ns(t0, n) }
function unguardedLoop(n: number): number { const t0 = process.hrtime.bigint(); for (let i = 0; i < n; i++) { sink += i & 1; p.fire(i) } return ns(t0, n) }
function dynFire(q: DynamicProbe, n: number): number { const t0 = process.hrtime.bigint(); for (let i = 0; i < n; i++) if (q.enabled) q.fire(i); return ns(t0, n) }
function staticFire(n: number): number { const s = sondeProbes.loop__lag; const t0 = process.hrtime.bigint(); for (let i = 0; i < n; i++) if (s.enabled) s.fire(i); return ns(t0, n) }

function runs(f: (n: number) => number, n: number, reps = 7): number { f(Math.min(n, 100_000)); const xs: number[] = []; for (let r = 0; r < reps; r++) xs.push(f(n)); return median(xs) }

function disabled() {
  const N = 20_000_000
  const flagNs = runs(flagLoop, N), guardedNs = runs(guardedLoop, N), emptyNs = runs(emptyLoop, N), unguardedNs = runs(unguardedLoop, N)
  return { flagNs, guardedNs, guardedOverFlagNs: guardedNs - flagNs, emptyNs, unguardedNs, unguardedOverEmptyNs: unguardedNs - emptyNs }
}

function forcedEnabled() {
  const sem = (p as unknown as { sem: Uint16Array; idx: number })
  const staticSem = semaphores(), si = probeIndex({ provider: 'sonde', name: 'loop__lag' })
  sem.sem[sem.idx] = 1; staticSem[si] = 1
  const N = 1_000_000
  const dynNs = runs((n) => dynFire(p, n), N), staticNs = runs(staticFire, N)
  sem.sem[sem.idx] = 0; staticSem[si] = 0
  return { dynNs, staticNs, ratio: dynNs / staticNs }
}

async function traced() {
  if (process.getuid?.() !== 0) return { skipped: 'not root' }
  const addon = require('../probes/addon').addonStatus().path
  const bt = spawn('bpftrace', ['-p', String(process.pid), '-e', `usdt::benchdyn:op { @d = count(); } usdt:${addon}:sonde:loop__lag { @s = count(); }`], { stdio: ['ignore', 'pipe', 'pipe'] })
  let out = ''
  bt.stdout.on('data', (d) => { out += d })
  const deadline = Date.now() + 60000
  while (!(p.enabled && sondeProbes.loop__lag.enabled) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
  if (!p.enabled) { bt.kill('SIGKILL'); return { skipped: 'bpftrace did not attach' } }
  const N = 100_000
  const dynNs = runs((n) => dynFire(p, n), N, 5), staticNs = runs(staticFire, N, 5)
  bt.kill('SIGINT')
  await new Promise((r) => bt.on('exit', r))
  const count = (k: string) => Number(new RegExp(`@${k}: (\\d+)`).exec(out)?.[1] ?? -1)
  // 6 loops of N fires each (warm-up + 5 runs); a rebuilt addon mid-run would detach the static probe.
  const valid = count('d') === 6 * N && count('s') === 6 * N
  return { dynNs, staticNs, ratio: dynNs / staticNs, dynHits: count('d'), staticHits: count('s'), valid }
}

;(async () => {
  const result = { bench: 'dynamic-probe-cost', disabled: disabled(), enabledNoTracer: forcedEnabled(), enabledTraced: await traced(), sink: sink > 0 }
  process.stdout.write(JSON.stringify(result, (_k, v) => (typeof v === 'number' ? +v.toFixed(2) : v), 2) + '\n')
  provider.dispose()
})()
