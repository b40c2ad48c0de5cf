// Bench app: express hello world on 127.0.0.1:PORT. BENCH_PROM=1 adds prom-client's
// collectDefaultMetrics (the peer baseline). With BENCH_SONDE_DIST (set for the sonde variants)
// it first checks that -r sonde/register really started the configured collectors (a dist/
// being rebuilt by someone else can make the preload fail: that run would measure bare) and
// exits 3 if not. Prints "ready" when listening.
'use strict'
const express = require('express')
if (process.env.BENCH_PROM === '1') require('prom-client').collectDefaultMetrics()
if (process.env.BENCH_SONDE_DIST) {
  const { collectors } = require(`${process.env.BENCH_SONDE_DIST}/index.js`)
  const want = process.env.BENCH_SONDE_EXPECT.split(',').filter(Boolean)
  const running = collectors.snapshot().collectors
  if (!globalThis[Symbol.for('sonde.register.installed')]) { process.stderr.write('sonde/register not installed\n'); process.exit(3) }
  if (want.some((c) => !running.includes(c))) { process.stderr.write(`collectors not running: want ${want}, running ${running}\n`); process.exit(3) }
}
const app = express()
app.get('/', (_req, res) => { res.send('hello world') })
app.listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write('ready\n'))
