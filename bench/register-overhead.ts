// `-r sonde/register` with no tracer attached vs the bare app: express hello-world throughput
// under autocannon on loopback, server pinned to one core and the load generator to another
// (taskset), variants alternating within each round (order rotated every round), median ratio
// over ROUNDS rounds. Variants: bare; register with SONDE_COLLECT=none (the runtime hooks only:
// the issue-2 target, >= 98 %); register with the default collectors (informational).
// Besides req/s, each run reads the server's CPU time over the measured window (sum of
// /proc/PID/task/*/schedstat, ns on CPU, every thread) and reports CPU µs per request: on a
// machine shared with other jobs, throughput mostly measures who else got the cores, while CPU
// per request is what the server itself spent, so its ratio is the steadier overhead figure.
// Run: node --import tsx bench/register-overhead.ts   (ROUNDS=5 SECONDS=5 CONNECTIONS=10)
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'

const root = path.resolve(__dirname, '..')
const ROUNDS = Number(process.env.ROUNDS || 5)
const SECONDS = Number(process.env.SECONDS || 5)
const CONNECTIONS = Number(process.env.CONNECTIONS || 10)
const SERVER_CPU = process.env.SERVER_CPU || '0'
const LOAD_CPU = process.env.LOAD_CPU || '1'
const app = path.join(__dirname, 'register-overhead-app.js')
const register = path.join(root, 'dist', 'register.js')
const autocannon = require.resolve('autocannon/autocannon.js')

interface Variant { name: string; args: string[]; env: Record<string, string> }
const variants: Variant[] = [
  { name: 'bare', args: [], env: {} },
  { name: 'register-hooks', args: ['-r', register], env: { SONDE_COLLECT: 'none' } },
  { name: 'register-default', args: ['-r', register], env: {} },
]

function startServer(v: Variant): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn('taskset', ['-c', SERVER_CPU, process.execPath, ...v.args, app], {
    env: { ...process.env, ...v.env }, stdio: ['ignore', 'pipe', 'inherit'],
  })
  return new Promise((resolve, reject) => {
    let out = ''
    child.stdout!.on('data', (d) => {
      out += d
      const m = /PORT (\d+)/.exec(out)
      if (m) resolve({ child, port: Number(m[1]) })
    })
    child.on('exit', (code) => reject(new Error(`${v.name} server exited ${code}`)))
  })
}

/** ns this process has spent on a CPU, all threads (taskset execs node: same pid). */
function cpuNs(pid: number): number {
  let sum = 0
  for (const t of fs.readdirSync(`/proc/${pid}/task`)) {
    try { sum += Number(fs.readFileSync(`/proc/${pid}/task/${t}/schedstat`, 'utf8').split(' ')[0]) } catch { /* thread gone */ }
  }
  return sum
}

interface Run { rps: number; cpuUsPerReq: number }

async function measure(v: Variant): Promise<Run> {
  const { child, port } = await startServer(v)
  try {
    const url = `http://127.0.0.1:${port}/`
    // warm-up (JIT, connection pool), then the measured run
    spawnSync('taskset', ['-c', LOAD_CPU, process.execPath, autocannon, '-c', String(CONNECTIONS), '-d', '1', url], { stdio: 'ignore' })
    const cpu0 = cpuNs(child.pid!)
    const r = spawnSync('taskset', ['-c', LOAD_CPU, process.execPath, autocannon, '-j', '-c', String(CONNECTIONS), '-d', String(SECONDS), url], { encoding: 'utf8' })
    const cpu1 = cpuNs(child.pid!)
    const res = JSON.parse(r.stdout)
    if (res.non2xx || res.errors) throw new Error(`${v.name}: ${res.non2xx} non-2xx, ${res.errors} errors`)
    return { rps: res.requests.total / SECONDS, cpuUsPerReq: (cpu1 - cpu0) / 1e3 / res.requests.total }
  } finally {
    child.removeAllListeners('exit')
    child.kill()
  }
}

const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2 }

async function main(): Promise<void> {
  const rps: Record<string, number[]> = Object.fromEntries(variants.map((v) => [v.name, []]))
  const cpu: Record<string, number[]> = Object.fromEntries(variants.map((v) => [v.name, []]))
  const ratios: Record<string, number[]> = Object.fromEntries(variants.slice(1).map((v) => [v.name, []]))
  const cpuRatios: Record<string, number[]> = Object.fromEntries(variants.slice(1).map((v) => [v.name, []]))
  for (let r = 0; r < ROUNDS; r++) {
    const order = variants.map((_, i) => variants[(i + r) % variants.length])
    const round: Record<string, Run> = {}
    for (const v of order) round[v.name] = await measure(v)
    for (const v of variants) { rps[v.name].push(round[v.name].rps); cpu[v.name].push(round[v.name].cpuUsPerReq) }
    for (const v of variants.slice(1)) {
      ratios[v.name].push(round[v.name].rps / round.bare.rps)
      cpuRatios[v.name].push(round[v.name].cpuUsPerReq / round.bare.cpuUsPerReq)
    }
    process.stderr.write(`round ${r + 1}: ${JSON.stringify(Object.fromEntries(Object.entries(round).map(([k, x]) => [k, { rps: Math.round(x.rps), cpuUsPerReq: +x.cpuUsPerReq.toFixed(1) }])))}\n`)
  }
  const med = (o: Record<string, number[]>, digits: number) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, +median(v).toFixed(digits)]))
  const all = (o: Record<string, number[]>) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, v.map((x) => +x.toFixed(4))]))
  const out = {
    bench: 'register-overhead', node: process.version, rounds: ROUNDS, seconds: SECONDS, connections: CONNECTIONS,
    serverCpu: SERVER_CPU, loadCpu: LOAD_CPU, loadAverage: fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
    medianRps: med(rps, 0), medianRatio: med(ratios, 4), ratios: all(ratios),
    /** server CPU µs per request; ratio > 1 = the variant costs more CPU per request than bare */
    medianCpuUsPerReq: med(cpu, 1), medianCpuRatio: med(cpuRatios, 4), cpuRatios: all(cpuRatios),
  }
  process.stdout.write(JSON.stringify(out) + '\n')
}

main().catch((err) => { process.stderr.write(`register-overhead: ${err?.message ?? err}\n`); process.exit(1) })
