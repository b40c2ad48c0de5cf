// One express server under valgrind's callgrind, for the instruction benches
// (collectors-instructions.ts, always-on.ts). Per process: start the server under callgrind (every
// thread counted, one file per thread), warm it with W requests, zero the counters, send N
// requests (autocannon, 4 connections), dump; then leave it idle for IDLE_WINDOWS windows of
// IDLE_S seconds, zeroing before and dumping after each.
// Two corrections for callgrind's ~50× slowdown, which stretches wall time per request:
// - time-driven work (timers, the allocation poll, the event-loop histogram) runs 50× more
//   often per request than at full speed: its rate is measured idle (the lowest of the windows)
//   and that rate × the measured window is subtracted (raw counts are reported too);
// - request-cost measures CPU/allocation of at most cost-per-sec requests per second (200), a
//   small share at full speed and most requests under callgrind: the sonde variants run with
//   cost-per-sec scaled by (callgrind req/s of a first bare process ÷ NOMINAL_RPS:
//   costPerSecUnderCallgrind), so the measured share is the one of a 10 000 req/s server (a
//   full speed measured here would move with the machine's load, and the share with it).
import { spawn, execFileSync, type ChildProcess } from 'node:child_process'
import { once } from 'node:events'
import fs from 'node:fs'
import path from 'node:path'
import { ExpressVariant, assertSondeRan, variantEnv } from './express-variants'

export const IDLE_S = 2, IDLE_WINDOWS = 3
export const CACHE_ARGS = ['--cache-sim=yes', '--I1=32768,8,64', '--D1=49152,12,64', '--LL=1048576,8,64']

let port = 19000 + Math.floor(Math.random() * 800)

export function load(p: number, amount: number): Promise<{ ok: number; seconds: number }> {
  const autocannon = require('autocannon') as (o: object, cb: (e: Error | null, r: { '2xx': number }) => void) => void
  const t0 = process.hrtime.bigint()
  return new Promise((resolve, reject) => autocannon({ url: `http://127.0.0.1:${p}/`, connections: 4, amount, timeout: 120 }, (e, r) => e ? reject(e) : resolve({ ok: r['2xx'], seconds: Number(process.hrtime.bigint() - t0) / 1e9 })))
}

export function spawnServer(cmd: string, args: string[], env: Record<string, string>, p: number): Promise<ChildProcess> {
  const child = spawn(cmd, args, { env: { ...process.env, ...env, PORT: String(p) }, stdio: ['ignore', 'pipe', 'ignore'] })
  return new Promise((resolve, reject) => {
    child.stdout!.once('data', () => resolve(child))
    child.once('exit', (code) => reject(new Error(`server exited ${code}: ${cmd} ${args.join(' ')}`)))
  })
}

/** Sum of `summary:` lines of one dump's per-thread files (Ir first); thread 1 is the main
 * thread; mainL2 = its last-level misses (ILmr + DLmr + DLmw) when simulating caches. */
export function dumpTotals(dir: string, prefix: string, dump: number): { all: number; main: number; mainL2: number } {
  let all = 0, main = 0, mainL2 = 0
  for (const f of fs.readdirSync(dir).filter((f) => f.startsWith(`${prefix}.`) && f.includes(`.${dump}-`))) {
    const text = fs.readFileSync(path.join(dir, f), 'utf8')
    const values = (/^summary: (.*)$/m.exec(text)?.[1] ?? '0').trim().split(/\s+/).map(Number)
    all += values[0]
    if (!/^thread: 1$/m.test(text)) continue
    main += values[0]
    const events = (/^events: (.*)$/m.exec(text)?.[1] ?? '').trim().split(/\s+/)
    for (const e of ['ILmr', 'DLmr', 'DLmw']) { const k = events.indexOf(e); if (k >= 0) mainL2 += values[k] ?? 0 }
  }
  return { all, main, mainL2 }
}

export interface Run { perRequest: number; mainPerRequest: number; rawPerRequest: number; idlePerSecond: number; requestsPerSecond: number; mainL2PerRequest: number }

export interface MeasureOptions {
  dir: string; warm: number; requests: number; costPerSec: number; cacheSim?: boolean
  /** node flags before the variant's arguments (e.g. V8's --single-threaded). */
  nodeFlags?: string[]
}

/** One fresh process of a variant: instructions per request (idle-corrected) and idle instructions/s. */
export async function measureServer(name: string, v: ExpressVariant, i: number, o: MeasureOptions): Promise<Run> {
  const prefix = `${name}-${i}`, p = ++port
  const env = variantEnv(v, v.collect && `${v.collect},cost-per-sec=${o.costPerSec}`)
  const child = await spawnServer('valgrind', ['--tool=callgrind', ...(o.cacheSim ? CACHE_ARGS : []), '--separate-threads=yes', '--smc-check=all-non-file', `--callgrind-out-file=${path.join(o.dir, prefix)}.%p`, process.execPath, ...(o.nodeFlags ?? []), ...v.args], env, p)
  const cg = (...a: string[]) => execFileSync('callgrind_control', [...a, String(child.pid)], { stdio: 'ignore' })
  try {
    await load(p, o.warm)
    cg('-z')
    const m = await load(p, o.requests)
    // A request autocannon gave up on (seen once in a few thousand under a load average of 8)
    // still ran partly: counts are per answered request, and more than 1 % unanswered is a failure.
    if (m.ok < o.requests * 0.99) throw new Error(`${name}: ${m.ok} of ${o.requests} requests answered 2xx`)
    cg('-d')
    // Idle rate: the lowest of IDLE_WINDOWS windows. Periodic work (timers of ≤ 1 s) is in every
    // window; a one-off (V8's memory reducer collecting once the load stops, a late compile) in
    // one window is not periodic work and would otherwise be subtracted from every request.
    let idleAll = Infinity, idleMain = Infinity, idleL2 = 0
    for (let w = 0; w < IDLE_WINDOWS; w++) {
      cg('-z')
      const t0 = process.hrtime.bigint()
      await new Promise((r) => setTimeout(r, IDLE_S * 1000))
      cg('-d')
      const idleS = Number(process.hrtime.bigint() - t0) / 1e9, b = dumpTotals(o.dir, prefix, 2 + w)
      if (b.all / idleS < idleAll) { idleAll = b.all / idleS; idleMain = b.main / idleS; idleL2 = b.mainL2 / idleS }
    }
    await assertSondeRan(v, p)
    const a = dumpTotals(o.dir, prefix, 1), n = m.ok
    return {
      perRequest: (a.all - idleAll * m.seconds) / n, mainPerRequest: (a.main - idleMain * m.seconds) / n,
      rawPerRequest: a.all / n, idlePerSecond: idleAll, requestsPerSecond: n / m.seconds, mainL2PerRequest: (a.mainL2 - idleL2 * m.seconds) / n,
    }
  } finally { const exited = once(child, 'exit'); child.kill(); await exited }  // callgrind writes its last dump on exit
}

/** Full-speed req/s always-on.ts assumes: request-cost then measures 200 / 10 000 = 2 % of the requests. */
export const NOMINAL_RPS = 10_000

/** cost-per-sec for the sonde variants: 200 × (callgrind req/s ÷ full-speed req/s). */
export function costPerSecUnderCallgrind(probe: Run, fullSpeed: number): number {
  return Math.max(1, Math.round(200 * probe.requestsPerSecond / fullSpeed))
}

/** Runs the jobs in `lanes` parallel lanes (callgrind runs a process's threads one at a time). */
export async function inLanes<T>(jobs: (() => Promise<T>)[], lanes: number): Promise<T[]> {
  const out: T[] = new Array(jobs.length)
  let next = 0
  const lane = async () => { for (let k = next++; k < jobs.length; k = next++) out[k] = await jobs[k]() }
  await Promise.all(Array.from({ length: Math.max(1, lanes) }, lane))
  return out
}
