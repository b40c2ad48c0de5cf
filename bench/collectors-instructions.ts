// Instructions per request of express hello world: bare vs `-r sonde/register` with the default
// collectors vs prom-client's collectDefaultMetrics, counted by valgrind's callgrind. Counts do
// not depend on what else the machine runs (the throughput bench, collectors-express.ts, swings
// ±2–3 points per generation here), so this measures what sonde adds per request exactly; what
// it cannot see is time: cache misses, scheduling, the kernel (syscalls are the same per request
// with and without sonde: 2.3, `perf stat -e raw_syscalls:sys_enter`).
//
// Per process: start the server under callgrind (every thread counted, one file per thread),
// warm it with W requests, zero the counters, send N requests (autocannon, 4 connections), dump;
// then leave it idle for three windows of 2 s, zeroing before and dumping after each. Each
// variant runs in P fresh processes (a process's JIT settles into one of several steady states,
// with ±1–3 % of instructions between processes of the same variant); medians are reported.
// Two corrections for callgrind's ~50× slowdown, which stretches wall time per request:
// - time-driven work (timers, the allocation poll, the event-loop histogram) runs 50× more
//   often per request than at full speed: its rate is measured idle (the lowest of the three
//   windows) and that rate × the measured window is subtracted (raw counts are reported too);
// - request-cost measures CPU/allocation of at most cost-per-sec requests per second (200), a
//   small share at full speed and most requests under callgrind: the sonde variants run with
//   cost-per-sec scaled by (callgrind req/s ÷ full-speed req/s of the same bare app, both
//   measured at the start), so the measured share is the one of a full-speed server.
// BENCH_CACHE_SIM=1 also simulates this machine's caches per core (I1 32 KiB, D1 48 KiB, and
// for the last level the 1 MiB L2, 8-way; callgrind models two levels) and reports main-thread L2
// misses per request (instruction reads + data reads + data writes), idle-corrected the same way:
// on this machine sonde's time cost follows L2 misses more than instructions (docs/benchmarks.md).
// Run: node --import tsx bench/collectors-instructions.ts [processes=3] [requests=3000]
// Needs valgrind (Debian package). Env knobs BENCH_BEFORE_DIST, BENCH_VARIANTS, BENCH_PRELOADS,
// BENCH_ONLY as in collectors-express.ts (bench/express-variants.ts).
import { spawn, execFileSync } from 'node:child_process'
import { once } from 'node:events'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { app, expressVariants, ExpressVariant, median, sonde, variantEnv } from './express-variants'

const P = Number(process.argv[2] ?? 3), N = Number(process.argv[3] ?? 3000), W = N, IDLE = 2, IDLE_WINDOWS = 3
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sonde-instr-'))
const cacheSim = process.env.BENCH_CACHE_SIM === '1'
const CACHE_ARGS = ['--cache-sim=yes', '--I1=32768,8,64', '--D1=49152,12,64', '--LL=1048576,8,64']
const variants = expressVariants({ sonde: sonde('default'), promClient: { args: [app], env: { BENCH_PROM: '1' } } })

let port = 19000 + Math.floor(Math.random() * 800)

function load(p: number, amount: number): Promise<{ ok: number; seconds: number }> {
  const autocannon = require('autocannon') as (o: object, cb: (e: Error | null, r: { '2xx': number }) => void) => void
  const t0 = process.hrtime.bigint()
  return new Promise((resolve, reject) => autocannon({ url: `http://127.0.0.1:${p}/`, connections: 4, amount, timeout: 120 }, (e, r) => e ? reject(e) : resolve({ ok: r['2xx'], seconds: Number(process.hrtime.bigint() - t0) / 1e9 })))
}

function spawnServer(cmd: string, args: string[], env: Record<string, string>, p: number): Promise<import('node:child_process').ChildProcess> {
  const child = spawn(cmd, args, { env: { ...process.env, ...env, PORT: String(p) }, stdio: ['ignore', 'pipe', 'ignore'] })
  return new Promise((resolve, reject) => {
    child.stdout!.once('data', () => resolve(child))
    child.once('exit', (code) => reject(new Error(`server exited ${code}: ${cmd} ${args.join(' ')}`)))
  })
}

/** Full-speed req/s of the bare app (4 connections, 3 s after a 2 s warm-up). */
async function nativeRps(): Promise<number> {
  const p = ++port, child = await spawnServer(process.execPath, [app], {}, p)
  try {
    const autocannon = require('autocannon') as (o: object, cb: (e: Error | null, r: { requests: { average: number } }) => void) => void
    const run = (d: number) => new Promise<number>((res, rej) => autocannon({ url: `http://127.0.0.1:${p}/`, connections: 4, duration: d }, (e, r) => e ? rej(e) : res(r.requests.average)))
    await run(2)
    return await run(3)
  } finally { child.kill() }
}

/** Sum of `summary:` lines of one dump's per-thread files (Ir first); thread 1 is the main
 * thread; mainL2 = its last-level misses (ILmr + DLmr + DLmw) when simulating caches. */
function dumpTotals(prefix: string, dump: number): { all: number; main: number; mainL2: number } {
  let all = 0, main = 0, mainL2 = 0
  for (const f of fs.readdirSync(tmp).filter((f) => f.startsWith(`${prefix}.`) && f.includes(`.${dump}-`))) {
    const text = fs.readFileSync(path.join(tmp, f), 'utf8')
    const values = (/^summary: (.*)$/m.exec(text)?.[1] ?? '0').trim().split(/\s+/).map(Number)
    all += values[0]
    if (!/^thread: 1$/m.test(text)) continue
    main += values[0]
    const events = (/^events: (.*)$/m.exec(text)?.[1] ?? '').trim().split(/\s+/)
    for (const e of ['ILmr', 'DLmr', 'DLmw']) { const k = events.indexOf(e); if (k >= 0) mainL2 += values[k] ?? 0 }
  }
  return { all, main, mainL2 }
}

interface Run { perRequest: number; mainPerRequest: number; rawPerRequest: number; idlePerSecond: number; requestsPerSecond: number; mainL2PerRequest: number }

async function measure(name: string, i: number, costPerSec: number): Promise<Run> {
  const v: ExpressVariant = variants[name], prefix = `${name}-${i}`, p = ++port
  const env = variantEnv(v, v.collect && `${v.collect},cost-per-sec=${costPerSec}`)
  const child = await spawnServer('valgrind', ['--tool=callgrind', ...(cacheSim ? CACHE_ARGS : []), '--separate-threads=yes', '--smc-check=all-non-file', `--callgrind-out-file=${path.join(tmp, prefix)}.%p`, process.execPath, ...v.args], env, p)
  const cg = (...a: string[]) => execFileSync('callgrind_control', [...a, String(child.pid)], { stdio: 'ignore' })
  try {
    await load(p, W)
    cg('-z')
    const m = await load(p, N)
    if (m.ok !== N) throw new Error(`${name}: ${m.ok} of ${N} requests answered 2xx`)
    cg('-d')
    // Idle rate: the lowest of IDLE_WINDOWS windows. Periodic work (timers of ≤ 1 s) is in every
    // window; a one-off (V8's memory reducer collecting once the load stops, a late compile) in
    // one window is not periodic work and would otherwise be subtracted from every request.
    let idleAll = Infinity, idleMain = Infinity, idleL2 = 0
    for (let w = 0; w < IDLE_WINDOWS; w++) {
      cg('-z')
      const t0 = process.hrtime.bigint()
      await new Promise((r) => setTimeout(r, IDLE * 1000))
      cg('-d')
      const idleS = Number(process.hrtime.bigint() - t0) / 1e9, b = dumpTotals(prefix, 2 + w)
      if (b.all / idleS < idleAll) { idleAll = b.all / idleS; idleMain = b.main / idleS; idleL2 = b.mainL2 / idleS }
    }
    const a = dumpTotals(prefix, 1)
    return {
      perRequest: (a.all - idleAll * m.seconds) / N, mainPerRequest: (a.main - idleMain * m.seconds) / N,
      rawPerRequest: a.all / N, idlePerSecond: idleAll, requestsPerSecond: N / m.seconds, mainL2PerRequest: (a.mainL2 - idleL2 * m.seconds) / N,
    }
  } finally { const exited = once(child, 'exit'); child.kill(); await exited }  // callgrind writes its last dump on exit
}

async function main(): Promise<void> {
  execFileSync('valgrind', ['--version'], { stdio: 'ignore' })
  const full = await nativeRps()
  const probe = await measure('bare', 0, 0)
  const costPerSec = Math.max(1, Math.round(200 * probe.requestsPerSecond / full))
  const names = Object.keys(variants)
  const runs: Record<string, Run[]> = Object.fromEntries(names.map((n) => [n, []]))
  runs.bare.push(probe)
  // Processes in two lanes (callgrind runs a process's threads one at a time), variants interleaved.
  const queue: [string, number][] = []
  for (let i = 0; i < P; i++) for (const n of names) if (!(n === 'bare' && i === 0)) queue.push([n, i])
  const lane = async () => { for (let job = queue.shift(); job; job = queue.shift()) runs[job[0]].push(await measure(job[0], job[1], costPerSec)) }
  await Promise.all(Array.from({ length: Math.min(2, os.cpus().length) }, lane))
  const med = (n: string, k: keyof Run) => median(runs[n].map((r) => r[k]))
  const bare = med('bare', 'perRequest'), bareMain = med('bare', 'mainPerRequest')
  process.stdout.write(JSON.stringify({
    bench: 'collectors-instructions', processes: P, requests: N, fullSpeedReqPerSec: Math.round(full), callgrindReqPerSec: Math.round(probe.requestsPerSecond), costPerSec,
    instructionsPerRequestMedian: Object.fromEntries(names.map((n) => [n, Math.round(med(n, 'perRequest'))])),
    addedPerRequestMedian: Object.fromEntries(names.map((n) => [n, Math.round(med(n, 'perRequest') - bare)])),
    // bare ÷ variant: the throughput ratio if time per request followed instructions.
    ratioVsBare: Object.fromEntries(names.map((n) => [n, +(bare / med(n, 'perRequest')).toFixed(3)])),
    rawRatioVsBare: Object.fromEntries(names.map((n) => [n, +(med('bare', 'rawPerRequest') / med(n, 'rawPerRequest')).toFixed(3)])),
    mainThreadRatioVsBare: Object.fromEntries(names.map((n) => [n, +(bareMain / med(n, 'mainPerRequest')).toFixed(3)])),
    idleInstructionsPerSecondMedian: Object.fromEntries(names.map((n) => [n, Math.round(med(n, 'idlePerSecond'))])),
    ...(cacheSim ? {
      mainThreadL2MissesPerRequestMedian: Object.fromEntries(names.map((n) => [n, Math.round(med(n, 'mainL2PerRequest'))])),
      addedMainThreadL2MissesPerRequest: Object.fromEntries(names.map((n) => [n, Math.round(med(n, 'mainL2PerRequest') - med('bare', 'mainL2PerRequest'))])),
    } : {}),
    runs: Object.fromEntries(names.map((n) => [n, runs[n].map((r) => ({ all: Math.round(r.perRequest), main: Math.round(r.mainPerRequest), raw: Math.round(r.rawPerRequest), ...(cacheSim ? { mainL2: Math.round(r.mainL2PerRequest) } : {}) }))])),
  }) + '\n')
  fs.rmSync(tmp, { recursive: true, force: true })
}
main().catch((e) => { process.stderr.write(`collectors-instructions: ${e instanceof Error ? e.message : String(e)}\n`); fs.rmSync(tmp, { recursive: true, force: true }); process.exit(1) })
