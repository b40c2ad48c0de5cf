// What measuring a request costs: the async_hooks attribution (request-context.ts: a stamp per
// async resource created in the request's code, a clock and heap read at each boundary of its
// callbacks, the split of GCs started between callbacks). Two variants of the same fastify app
// (bench/apps/fastify-await.js) under `node -r dist/register.js` with SONDE_COLLECT=request-cost:
//   off   cost-per-sec=1 (the least the option takes): one request a second measured, the
//         rest counted only (the hooks off between them)
//   all   cost-per-sec=100000: every request measured (the default budget is 200/s)
// Each round starts one fresh server per variant, in alternating order, warms it with W
// requests, then sends N requests (autocannon, 8 connections) and reads the server's process
// CPU before and after (process.cpuUsage, every thread of the server). Reported: median CPU µs
// per request per variant and the median of the per-round differences, which is what the
// hooks add per measured request. perf's instruction counter is not available on this machine
// (a VM: `perf stat -e instructions` reads <not supported>), so this is CPU time, on a shared
// 2-core host: the per-round difference is the figure, the spread says how far to trust it.
// Run: node --import tsx bench/request-cost-hooks.ts [rounds=7] [requests=20000]
import { spawn } from 'node:child_process'
import path from 'node:path'
import autocannon from 'autocannon'
import { median } from './express-variants'

const rounds = Number(process.argv[2] ?? 7), N = Number(process.argv[3] ?? 20_000), W = Math.min(N, 5000)
const root = path.resolve(__dirname, '..')
const variants = { off: 'request-cost,cost-per-sec=1', all: 'request-cost,cost-per-sec=100000' } as const
type Variant = keyof typeof variants

async function cpuUs(port: number): Promise<number> {
  return ((await (await fetch(`http://127.0.0.1:${port}/cpu`)).json()) as { us: number }).us
}

async function drive(port: number, amount: number): Promise<void> {
  const r = await autocannon({ url: `http://127.0.0.1:${port}/`, connections: 8, amount })
  if (r.non2xx + r.errors > 0) throw new Error(`${r.non2xx} non-2xx, ${r.errors} errors`)
}

/** CPU µs per request of one fresh server of variant `v`. */
async function run(v: Variant): Promise<number> {
  const child = spawn(process.execPath, ['-r', path.join(root, 'dist/register.js'), path.join(__dirname, 'apps/fastify-await.js')], {
    cwd: root, env: { ...process.env, SONDE_COLLECT: variants[v] }, stdio: ['pipe', 'pipe', 'inherit'],
  })
  try {
    const port = await new Promise<number>((resolve, reject) => {
      let out = ''
      child.stdout!.on('data', (d) => { out += d; const m = /PORT (\d+)/.exec(out); if (m) resolve(Number(m[1])) })
      child.on('exit', (code) => reject(new Error(`app exited ${code}`)))
    })
    await drive(port, W)
    const c0 = await cpuUs(port)
    await drive(port, N)
    return (await cpuUs(port) - c0) / N
  } finally {
    child.stdin!.end()
    child.kill()
  }
}

async function main(): Promise<void> {
  const per: Record<Variant, number[]> = { off: [], all: [] }
  const diff: number[] = []
  for (let r = 0; r < rounds; r++) {
    const order: Variant[] = r % 2 === 0 ? ['off', 'all'] : ['all', 'off']
    for (const v of order) per[v].push(await run(v))
    diff.push(per.all[r] - per.off[r])
    process.stdout.write(`round ${r + 1}: off ${per.off[r].toFixed(1)} µs/req, all ${per.all[r].toFixed(1)} µs/req, +${diff[r].toFixed(1)}\n`)
  }
  const sorted = [...diff].sort((a, b) => a - b)
  process.stdout.write(`median: off ${median(per.off).toFixed(1)} µs/req, all ${median(per.all).toFixed(1)} µs/req; measuring adds ${median(diff).toFixed(1)} µs/req (rounds ${sorted[0].toFixed(1)}–${sorted[sorted.length - 1].toFixed(1)}), ratio ${(median(per.all) / median(per.off)).toFixed(3)}\n`)
}

main().catch((err) => { process.stderr.write(`${err?.stack ?? err}\n`); process.exitCode = 1 })
