// Fixture for test/collectors/request-cost-truth.test.ts: a fastify app under
// `node -r dist/register.js` (SONDE_COLLECT from the environment). Routes per phase prefix P
// (each phase its own rows in the table): /P/wait awaits a 50 ms timer and burns nothing,
// /P/cpu burns a calibrated loop (~5 ms of CPU), /P/after awaits a 20 ms timer and then burns
// the same loop (in a promise continuation: the request's code after its first callback), /P/alloc builds 27 000 small objects (~4 MB of
// V8 heap) and burns little. /truth answers the loop's mean CPU time per run since the last
// /truth, measured around the loop alone with process.cpuUsage inside every /P/cpu request (the
// independent truth for /P/cpu: getrusage of the process, not sonde's thread clock, on the very
// runs sonde measured, under the phase's load; the machine is shared and a loop's CPU time
// moves with the load on the other core); /snap answers the collectors' snapshot and the
// process's CPU time (µs). Prints "PORT n".
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
  app.get(`/${p}/cpu`, async () => String(timedSpin(cpuTruth)))
  app.get(`/${p}/after`, async () => { await sleep(20); return String(timedSpin(afterTruth)) })
  app.get(`/${p}/alloc`, async () => String(buildRows(27000).length))
}
// The truth: each /P/cpu request's loop timed with process.cpuUsage; /truth answers their mean
// and restarts it. getrusage moves in scheduler ticks, so one run reads coarsely; the mean over a
// phase's hundreds of runs does not.
const cpuTruth = { ms: 0, runs: 0 }, afterTruth = { ms: 0, runs: 0 }
function timedSpin(truth) {
  const t0 = process.cpuUsage()
  const r = spin(LOOP)
  const d = process.cpuUsage(t0)
  truth.ms += (d.user + d.system) / 1000; truth.runs++
  return r
}
app.get('/truth', async () => {
  const r = { cpuMs: cpuTruth.ms / cpuTruth.runs, afterMs: afterTruth.ms / afterTruth.runs }
  cpuTruth.ms = cpuTruth.runs = afterTruth.ms = afterTruth.runs = 0
  return r
})
app.get('/snap', async () => { const u = process.cpuUsage(); return { processCpuUs: u.user + u.system, ...collectors.snapshot() } })
app.listen({ port: 0, host: '127.0.0.1' }).then(() => process.stdout.write(`PORT ${app.server.address().port}\n`))
process.stdin.on('data', () => {})
process.stdin.on('end', () => app.close().then(() => process.exit(0)))
