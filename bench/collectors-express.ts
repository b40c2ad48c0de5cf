// Express hello world under autocannon: bare vs `-r sonde/register` with every default
// collector (SONDE_COLLECT=default) vs the same without the allocation sampler vs prom-client
// collectDefaultMetrics, alternating order each round. Server pinned to CPU 0, load to CPU 1
// (taskset), loopback only. Per run: a warm-up load, then a measured load; reports medians of
// req/s and of the server's CPU time per request (utime+stime from /proc/PID/stat over the
// measured run), which is less sensitive than req/s to other processes sharing the machine.
// Run: node --import tsx bench/collectors-express.ts [rounds=5] [seconds=5]
import { spawn, spawnSync, ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

const root = path.resolve(__dirname, '..')
const rounds = Number(process.argv[2] ?? 5), seconds = Number(process.argv[3] ?? 5)
const app = path.join(__dirname, 'apps/express-hello.js')
const register = ['-r', path.join(root, 'dist/register.js'), app]
const configs: Record<string, { args: string[]; env: Record<string, string> }> = {
  bare: { args: [app], env: {} },
  sonde: { args: register, env: { SONDE_COLLECT: 'default' } },
  sondeNoAlloc: { args: register, env: { SONDE_COLLECT: 'default,-alloc' } },
  promClient: { args: [app], env: { BENCH_PROM: '1' } },
}
const TICK_US = 1e6 / 100  // USER_HZ

function startServer(name: string, port: number): Promise<ChildProcess> {
  const c = configs[name]
  const child = spawn('taskset', ['-c', '0', process.execPath, ...c.args], { env: { ...process.env, ...c.env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'inherit'] })
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

function load(port: number, secs: number): { rps: number; total: number } {
  const script = `require('autocannon')({ url: 'http://127.0.0.1:${port}/', connections: 10, duration: ${secs} }, (e, r) => process.stdout.write(JSON.stringify(e ? { rps: -1, total: 0 } : { rps: r.requests.average, total: r.requests.total })))`
  const r = spawnSync('taskset', ['-c', '1', process.execPath, '-e', script], { cwd: root, encoding: 'utf8' })
  return JSON.parse(r.stdout)
}

async function main(): Promise<void> {
  const names = Object.keys(configs)
  const rps: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]))
  const cpu: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]))
  const loadBefore = os.loadavg()
  let port = 18400 + Math.floor(Math.random() * 1000)
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 ? names.slice().reverse() : names
    for (const name of order) {
      const server = await startServer(name, ++port)
      load(port, 2)  // warm-up (JIT, sonde's first allocation-profile restarts)
      const t0 = cpuTicks(server.pid!)
      const m = load(port, seconds)
      const t1 = cpuTicks(server.pid!)
      rps[name].push(Math.round(m.rps))
      cpu[name].push(+(((t1 - t0) * TICK_US) / m.total).toFixed(1))
      server.kill()
    }
  }
  const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[xs.length >> 1]
  const mr = Object.fromEntries(names.map((k) => [k, median(rps[k])]))
  const mc = Object.fromEntries(names.map((k) => [k, median(cpu[k])]))
  const ratio = (k: string) => +(mr[k] / mr.bare).toFixed(3)
  process.stdout.write(JSON.stringify({
    bench: 'collectors-express', rounds, seconds, loadavgBefore: loadBefore.map((x) => +x.toFixed(2)), loadavgAfter: os.loadavg().map((x) => +x.toFixed(2)),
    reqPerSecMedian: mr, vsBare: { sonde: ratio('sonde'), sondeNoAlloc: ratio('sondeNoAlloc'), promClient: ratio('promClient') },
    cpuUsPerRequestMedian: mc, rps, cpuUsPerRequest: cpu,
  }) + '\n')
}
main().catch((e) => { process.stderr.write(String(e) + '\n'); process.exit(1) })
