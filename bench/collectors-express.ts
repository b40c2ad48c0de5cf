// Express hello world under autocannon: bare vs `-r sonde/register` with every default
// collector (SONDE_COLLECT=default) vs the same without the allocation sampler vs prom-client
// collectDefaultMetrics, alternating order each round. Server pinned to CPU 0, load to CPU 1
// (taskset), loopback only. Paired in time, because the machine is shared with other work: the
// four servers run side by side (idle ones cost nothing), each gets a warm-up load, then every
// round loads bare and one variant *at the same time* for `seconds` (two autocannon instances
// on CPU 1, 10 connections each): both servers share CPU 0, so outside load hits both alike and
// req/s ∝ 1 / CPU cost per request. Reported: the median over rounds of variant/bare req/s,
// medians of req/s, and of each server's CPU time per request (utime+stime, /proc/PID/stat).
// Run: taskset -c 1 node --import tsx bench/collectors-express.ts [rounds=15] [seconds=2] [generations=3]
import { spawn, ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import { app, assertSondeRan, expressVariants, median, sonde, variantEnv } from './express-variants'

const rounds = Number(process.argv[2] ?? 15), seconds = Number(process.argv[3] ?? 2), generations = Number(process.argv[4] ?? 3)
// Env knobs BENCH_BEFORE_DIST, BENCH_VARIANTS, BENCH_PRELOADS, BENCH_ONLY: bench/express-variants.ts.
const configs = expressVariants({
  sonde: sonde('default'),
  sondeNoAlloc: sonde('default,-alloc'),
  promClient: { args: [app], env: { BENCH_PROM: '1' } },
})
const TICK_US = 1e6 / 100  // USER_HZ
// BENCH_MODE=alternate: the method: bare and the variant loaded one after the other (order
// alternating by round), each alone on CPU 0 with the load on CPU 1, instead of side by side.
const alternate = process.env.BENCH_MODE === 'alternate'

function startServer(name: string, port: number): Promise<ChildProcess> {
  const c = configs[name]
  const child = spawn('taskset', ['-c', '0', process.execPath, ...c.args], { env: { ...process.env, ...variantEnv(c), PORT: String(port) }, stdio: ['ignore', 'pipe', 'inherit'] })
  return new Promise((resolve, reject) => {
    child.stdout!.once('data', () => resolve(child))
    child.once('exit', (code) => reject(new Error(`${name} server exited ${code}`)))
  })
}

function cpuTicks(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return Number(f[11]) + Number(f[12])  // utime, stime (fields 14, 15)
}

function load(port: number, secs: number): Promise<{ rps: number; total: number }> {
  const autocannon = require('autocannon') as (o: object, cb: (e: Error | null, r: { requests: { average: number; total: number } }) => void) => void
  return new Promise((resolve) => autocannon({ url: `http://127.0.0.1:${port}/`, connections: 10, duration: secs }, (e, r) => resolve(e ? { rps: -1, total: 0 } : { rps: r.requests.average, total: r.requests.total })))
}

async function main(): Promise<void> {
  const names = Object.keys(configs)
  const rps: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]))
  const cpu: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]))
  const ratios: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]))
  const loadBefore = os.loadavg()
  let port = 18400 + Math.floor(Math.random() * 1000)
  // Generations: every server process is restarted `generations` times during the run. A
  // process's JIT and heap settle into one of several steady states and keep it for its life,
  // so one set of processes biases a whole run (seen: the same variant 0.941 in one run, 0.975 in
  // the next); fresh processes per generation sample that variation instead of freezing it.
  const perGen = Math.max(1, Math.round(rounds / generations))
  const genRatios: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]))
  for (let g = 0; g < generations; g++) {
    const servers: Record<string, { child: ChildProcess; port: number }> = {}
    try {
      for (const name of names) { const p = ++port; servers[name] = { child: await startServer(name, p), port: p } }
      for (const name of names) await load(servers[name].port, 2)  // warm-up (JIT, first profiler restarts)
      const first = Object.fromEntries(names.map((n) => [n, ratios[n].length]))
      for (let r = 0; r < perGen; r++) {
        for (const name of names.filter((n) => n !== 'bare')) {
          // bare and the variant under load at the same time: they share CPU 0 (CFS gives each
          // half), so whatever else the machine runs hits both alike; served requests ∝ 1/cost.
          const pair = [servers.bare, servers[name]]
          const t0 = pair.map((s) => cpuTicks(s.child.pid!))
          const [mb, mv] = alternate
            ? await (async () => { const o = r % 2 ? [1, 0] : [0, 1]; const res = []; for (const i of o) res[i] = await load(pair[i].port, seconds); return res })()
            : await Promise.all(pair.map((s) => load(s.port, seconds)))
          const t1 = pair.map((s) => cpuTicks(s.child.pid!))
          rps.bare.push(Math.round(mb.rps)); rps[name].push(Math.round(mv.rps))
          cpu.bare.push(+(((t1[0] - t0[0]) * TICK_US) / mb.total).toFixed(1))
          cpu[name].push(+(((t1[1] - t0[1]) * TICK_US) / mv.total).toFixed(1))
          ratios[name].push(+(mv.rps / mb.rps).toFixed(3))
        }
      }
      for (const name of names) await assertSondeRan(configs[name], servers[name].port)
      for (const name of names.filter((n) => n !== 'bare')) genRatios[name].push(+median(ratios[name].slice(first[name])).toFixed(3))
    } finally {
      for (const s of Object.values(servers)) s.child.kill()
    }
  }
  process.stdout.write(JSON.stringify({
    bench: 'collectors-express', mode: alternate ? 'alternate' : 'paired', rounds, seconds, loadavgBefore: loadBefore.map((x) => +x.toFixed(2)), loadavgAfter: os.loadavg().map((x) => +x.toFixed(2)),
    generations, medianRatioPerGeneration: genRatios,
    medianRatioVsBare: Object.fromEntries(names.filter((n) => n !== 'bare').map((k) => [k, +median(ratios[k]).toFixed(3)])),
    reqPerSecMedian: Object.fromEntries(names.map((k) => [k, median(rps[k])])),
    cpuUsPerRequestMedian: Object.fromEntries(names.map((k) => [k, +median(cpu[k]).toFixed(1)])),
    rps, cpuUsPerRequest: cpu, ratios,
  }) + '\n')
}
main().catch((e) => { process.stderr.write(String(e) + '\n'); process.exit(1) })
