// Bench app: express hello world on 127.0.0.1:PORT. BENCH_PROM=1 adds prom-client's
// collectDefaultMetrics (the peer baseline). Prints "ready" when listening.
'use strict'
const express = require('express')
if (process.env.BENCH_PROM === '1') require('prom-client').collectDefaultMetrics()
const app = express()
app.get('/', (_req, res) => { res.send('hello world') })
app.listen(Number(process.env.PORT), '127.0.0.1', () => process.stdout.write('ready\n'))
