// Instructions per request of express hello world: bare vs `-r sonde/register` with the default
// collectors vs prom-client's collectDefaultMetrics, counted by valgrind's callgrind. Counts do
// not depend on what else the machine runs (the throughput bench, collectors-express.ts, swings
// ±2–3 points per generation here), so this measures what sonde adds per request exactly; what
// it cannot see is time: cache misses, scheduling, the kernel (syscalls are the same per request
// with and without sonde: 2.3, `perf stat -e raw_syscalls:sys_enter`).
//
// Each variant runs in P fresh processes (a process's JIT settles into one of several steady
// states, with ±1–3 % of instructions between processes of the same variant); medians are
// reported. How one process is measured, and its corrections: bench/callgrind-express.ts.
// BENCH_CACHE_SIM=1 also simulates this machine's caches per core (I1 32 KiB, D1 48 KiB, and
// for the last level the 1 MiB L2, 8-way; callgrind models two levels) and reports main-thread L2
// misses per request (instruction reads + data reads + data writes), idle-corrected the same way:
// on this machine sonde's time cost follows L2 misses more than instructions (docs/benchmarks.md).
// Run: node --import tsx bench/collectors-instructions.ts [processes=3] [requests=3000]
// Needs valgrind (Debian package). Env knobs BENCH_BEFORE_DIST, BENCH_VARIANTS, BENCH_PRELOADS,
// BENCH_ONLY as in collectors-express.ts (bench/express-variants.ts).
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { app, expressVariants, median, sonde } from './express-variants'
import { measureServer, costPerSecUnderCallgrind, inLanes, NOMINAL_RPS, type Run } from './callgrind-express'

const P = Number(process.argv[2] ?? 3), N = Number(process.argv[3] ?? 3000), W = N
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sonde-instr-'))
const cacheSim = process.env.BENCH_CACHE_SIM === '1'
const variants = expressVariants({ sonde: sonde('default'), promClient: { args: [app], env: { BENCH_PROM: '1' } } })

function measure(name: string, i: number, costPerSec: number): Promise<Run> {
  return measureServer(name, variants[name], i, { dir: tmp, warm: W, requests: N, costPerSec, cacheSim, nodeFlags: process.env.BENCH_NODE_FLAGS?.split(' ').filter(Boolean) })
}

async function main(): Promise<void> {
  execFileSync('valgrind', ['--version'], { stdio: 'ignore' })
  const full = NOMINAL_RPS  // request-cost's share of a 10 000 req/s server (the measured full speed moves with the load)
  const probe = await measure('bare', 0, 0)
  const costPerSec = costPerSecUnderCallgrind(probe, full)
  const names = Object.keys(variants)
  const runs: Record<string, Run[]> = Object.fromEntries(names.map((n) => [n, []]))
  runs.bare.push(probe)
  // Processes in two lanes (callgrind runs a process's threads one at a time), variants interleaved.
  const queue: (() => Promise<void>)[] = []
  for (let i = 0; i < P; i++) for (const n of names) if (!(n === 'bare' && i === 0)) queue.push(async () => { runs[n].push(await measure(n, i, costPerSec)) })
  await inLanes(queue, Math.min(2, os.cpus().length))
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
