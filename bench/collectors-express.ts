// Express hello world under autocannon: bare vs `-r sonde/register` with every default
// collector (SONDE_COLLECT=default) vs prom-client collectDefaultMetrics, alternating runs.
// Server pinned to CPU 0, load to CPU 1 (taskset), loopback only. Reports medians of req/s.
// Run: node --import tsx bench/collectors-express.ts [rounds=5] [seconds=5]
import { spawn, spawnSync, ChildProcess } from 'node:child_process'
import path from 'node:path'

const root = path.resolve(__dirname, '..')
const rounds = Number(process.argv[2] ?? 5), seconds = Number(process.argv[3] ?? 5)
const app = path.join(__dirname, 'apps/express-hello.js')
const configs: Record<string, { args: string[]; env: Record<string, string> }> = {
  bare: { args: [app], env: {} },
  sonde: { args: ['-r', path.join(root, 'dist/register.js'), app], env: { SONDE_COLLECT: 'default' } },
  promClient: { args: [app], env: { BENCH_PROM: '1' } },
}

function startServer(name: string, port: number): Promise<ChildProcess> {
  const c = configs[name]
  const child = spawn('taskset', ['-c', '0', process.execPath, ...c.args], { env: { ...process.env, ...c.env, PORT: String(port) }, stdio: ['ignore', 'pipe', 'inherit'] })
  return new Promise((resolve, reject) => {
    child.stdout!.once('data', () => resolve(child))
    child.once('exit', (code) => reject(new Error(`${name} server exited ${code}`)))
  })
}

function load(port: number): number {
  const script = `require('autocannon')({ url: 'http://127.0.0.1:${port}/', connections: 10, duration: ${seconds} }, (e, r) => process.stdout.write(String(e ? -1 : r.requests.average)))`
  const r = spawnSync('taskset', ['-c', '1', process.execPath, '-e', script], { cwd: root, encoding: 'utf8' })
  return Number(r.stdout)
}

async function main(): Promise<void> {
  const results: Record<string, number[]> = { bare: [], sonde: [], promClient: [] }
  let port = 18400
  for (let r = 0; r < rounds; r++) {
    const order = r % 2 ? ['promClient', 'sonde', 'bare'] : ['bare', 'sonde', 'promClient']
    for (const name of order) {
      const server = await startServer(name, ++port)
      load(port) // warm-up is the first second of a short run; measure the second run
      results[name].push(load(port))
      server.kill()
    }
  }
  const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[xs.length >> 1]
  const m = Object.fromEntries(Object.entries(results).map(([k, v]) => [k, median(v)]))
  process.stdout.write(JSON.stringify({ bench: 'collectors-express', rounds, seconds, reqPerSecMedian: m, sondeVsBare: +(m.sonde / m.bare).toFixed(3), promClientVsBare: +(m.promClient / m.bare).toFixed(3), runs: results }) + '\n')
}
main().catch((e) => { process.stderr.write(String(e) + '\n'); process.exit(1) })
