// Fixture for test/collectors/request-cost-truth.test.ts: a fastify app under
// `node -r dist/register.js` (SONDE_COLLECT from the environment). Routes per phase prefix P
// (each phase its own rows in the table): /P/wait awaits a 50 ms timer and burns nothing,
// /P/cpu burns a calibrated loop (~5 ms of CPU), /P/alloc builds 27 000 small objects (~4 MB of
// V8 heap) and burns little. /truth answers the same loop's CPU time per run measured alone in a timer
// callback with process.cpuUsage during the phase (the independent truth for /P/cpu); /snap answers the
// collectors' snapshot and the process's CPU time (µs). Prints "PORT n".
'use strict'
const fastify = require('fastify')
const { setTimeout: sleep } = require('node:timers/promises')
const { collectors } = require(`${process.env.SONDE_DIST}/index.js`)

function spin(n) { let x = 0; for (let i = 0; i < n; i++) x = (x * 31 + i) | 0; return x }
function buildRows(n) { const rows = []; for (let i = 0; i < n; i++) rows.push({ id: i, name: 'item-' + i, score: i * 1.5 }); return rows }
function cpuMsPerRun(n, runs) {
  const t0 = process.cpuUsage()
  for (let i = 0; i < runs; i++) spin(n)
  const d = process.cpuUsage(t0)
  return (d.user + d.system) / 1000 / runs
}
// Iterations for ~5 ms of CPU on this machine (calibrated once; the truth is measured per phase).
const LOOP = Math.round(1e6 * 5 / cpuMsPerRun(1e6, 30))

const app = fastify()
for (const p of ['a', 'b', 'c']) {
  app.get(`/${p}/wait`, async () => { await sleep(50); return 'ok' })
  app.get(`/${p}/cpu`, async () => String(spin(LOOP)))
  app.get(`/${p}/alloc`, async () => String(buildRows(27000).length))
}
// The truth sampler: every 100 ms a timer (not a request) runs the loop once alone in its
// callback and measures it with process.cpuUsage, so the truth is taken on the same thread under
// the same machine load as the requests of the phase; /truth answers their mean and restarts it.
let truthMs = 0, truthRuns = 0
setInterval(() => { truthMs += cpuMsPerRun(LOOP, 1); truthRuns++ }, 100).unref()
app.get('/truth', async () => { const r = { cpuMs: truthMs / truthRuns, runs: truthRuns }; truthMs = 0; truthRuns = 0; return r })
app.get('/snap', async () => { const u = process.cpuUsage(); return { processCpuUs: u.user + u.system, ...collectors.snapshot() } })
app.listen({ port: 0, host: '127.0.0.1' }).then(() => process.stdout.write(`PORT ${app.server.address().port}\n`))
process.stdin.on('data', () => {})
process.stdin.on('end', () => app.close().then(() => process.exit(0)))
