// Bench app: express hello world on 127.0.0.1:PORT. BENCH_PROM=1 adds prom-client's
// collectDefaultMetrics (the peer baseline). Prints "ready" when listening.
// GET /__bench/sonde (every variant has the route, so the router is the same) answers whether
// -r sonde/register really started the collectors BENCH_SONDE_EXPECT lists (a dist/ being
// rebuilt by someone else can make the preload fail: that run would measure bare): 200, or 500
// with the reason. The bench asks after its measurements, so sonde's full module graph
// (`require('sonde')`, which an app running with -r sonde/register does not load) is not in the
// measured process until then.
'use strict'
const express = require('express')
if (process.env.BENCH_PROM === '1') require('prom-client').collectDefaultMetrics()
const app = express()
app.get('/', (_req, res) => { res.send('hello world') })
app.get('/__bench/sonde', (_req, res) => {
  if (!process.env.BENCH_SONDE_DIST) return res.status(404).send('not a sonde variant')
  if (!globalThis[Symbol.for('sonde.register.installed')]) return res.status(500).send('sonde/register not installed')
  const { collectors } = require(`${process.env.BENCH_SONDE_DIST}/index.js`)
  const want = process.env.BENCH_SONDE_EXPECT.split(',').filter(Boolean)
  const running = collectors.snapshot().collectors
  if (want.some((c) => !running.includes(c))) return res.status(500).send(`collectors not running: want ${want}, running ${running}`)
  res.send('ok')
})
// GET /__bench/collectors/off, /on?spec=… and /status (bench/always-on-paired.ts): stops sonde's
// collectors, starts them with `spec`, or neither, in this one process, and answers what the
// collectors have counted for GET / so far (requests the HTTP collector saw, requests
// request-cost measured), so the bench can check every window ran in the state it meant. The
// first `on` makes a collector set; later ones restart that same set, as an always-on process
// keeps its collectors (a new set's functions would start cold and compile again about a minute
// later). Loads sonde's full module graph at its first call (the bench calls it during the
// warm-up).
// GET /__bench/busy/on|off: a 1 ms no-op interval that keeps the event loop iterating while no
// request arrives, as a loaded server's loop does, so an idle window meters the time-driven work
// a loaded server pays (a 10 ms timer that wakes an idle loop costs a whole loop pass; under load
// it runs in a pass the requests make anyway).
let set, setSpec
app.get('/__bench/collectors/:state', (req, res) => {
  if (!process.env.BENCH_SONDE_DIST) return res.status(404).send('not a sonde variant')
  const { collectors } = require(`${process.env.BENCH_SONDE_DIST}/index.js`)
  const snap = collectors.snapshot()
  const counted = snap.http?.series.filter((s) => s.route === '/').reduce((a, s) => a + s.latencyNs.count, 0) ?? 0
  const measured = snap.requestCost?.routes.filter((r) => r.route === '/').reduce((a, r) => a + r.measured, 0) ?? 0
  if (req.params.state === 'off') {
    if (set) set.stop()
    else collectors.stop()
  } else if (req.params.state === 'on') {
    const spec = String(req.query.spec ?? process.env.SONDE_COLLECT)
    if (set && spec === setSpec) set.start()
    else { set = collectors.start(spec); setSpec = spec }
  }
  res.json({ counted, measured, running: collectors.snapshot().collectors })
})
let busy
app.get('/__bench/busy/:state', (req, res) => {
  clearInterval(busy)
  busy = req.params.state === 'on' ? setInterval(() => {}, 1) : undefined
  res.send('ok')
})
app.listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write('ready\n'))
