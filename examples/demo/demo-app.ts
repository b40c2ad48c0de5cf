// The demo's instrumented express app: routes of very different cost so every live view has
// something to show — a trivial route, a CPU-bound one (computeScores), an allocation-heavy one
// (buildReport, ~1.5 MB allocated per request), one that hashes in a worker pool (postMessage), and a slow
// one that waits on a timer. Every request and hash job fires the demo's own USDT provider.
import express, { type Express } from 'express'
import type { WorkerPool } from './worker-pool'
import type { DemoProbes } from './demo-probes'

export function computeScores(n: number): number {
  let acc = 0
  for (let i = 1; i < n; i++) acc += Math.sqrt(i) * Math.sin(i) / (1 + (i % 7))
  return acc
}

export function buildReport(rows: number): { rows: number; bytes: number; top: string } {
  const table: { id: number; name: string; tags: string[]; values: number[] }[] = []
  for (let i = 0; i < rows; i++) {
    table.push({ id: i, name: `row-${i}-${(i * 2654435761) % 997}`, tags: [`t${i % 13}`, `g${i % 7}`], values: Array.from({ length: 8 }, (_, k) => i * k) })
  }
  const text = JSON.stringify(table)
  table.sort((a, b) => b.values[3] - a.values[3])
  return { rows: table.length, bytes: text.length, top: table[0].name }
}

function sleep(ms: number): Promise<void> { return new Promise((r) => setTimeout(r, ms)) }

export function createDemoApp(pool: WorkerPool, probes?: DemoProbes): Express {
  const app = express()
  app.disable('x-powered-by')
  let jobIds = 0
  if (probes) {
    app.use((req, res, next) => {
      const t0 = process.hrtime.bigint()
      probes.requestStart(req.method, req.originalUrl)
      res.on('finish', () => probes.requestDone(req.method, req.route?.path ?? req.path, res.statusCode, Number(process.hrtime.bigint() - t0)))
      next()
    })
  }
  app.get('/api/hello', (_req, res) => { res.json({ hello: 'world' }) })
  app.get('/api/users/:id', (req, res) => {
    res.json({ id: req.params.id, score: computeScores(60_000) })
  })
  app.get('/api/report', (_req, res) => {
    const r = buildReport(6_000)
    res.json(r)
  })
  app.get('/api/hash', async (_req, res) => {
    const id = ++jobIds, t0 = process.hrtime.bigint()
    probes?.jobStart(id, 2_000)
    try {
      const digest = await pool.run(`job-${Date.now()}`, 2_000)
      probes?.jobDone(id, Number(process.hrtime.bigint() - t0), true)
      res.json({ digest })
    } catch (err) {
      probes?.jobDone(id, Number(process.hrtime.bigint() - t0), false)
      res.status(503).json({ error: (err as Error).message })
    }
  })
  app.get('/api/slow', async (_req, res) => {
    await sleep(40 + Math.floor(Math.random() * 120))
    res.json({ score: computeScores(10_000) })
  })
  return app
}
