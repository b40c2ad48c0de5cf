// Fixture for test/tracer/trace-table-names.test.ts: an express app whose two route handlers are
// anonymous arrow functions (on lines the test reads from this file), requested 7 and 5 times.
'use strict'
const express = require('express')
const app = express()
app.get('/a', (req, res) => { res.send('a') })
app.get('/b', (req, res) => { res.send('b') })
const server = app.listen(0, '127.0.0.1', async () => {
  const base = `http://127.0.0.1:${server.address().port}`
  for (let i = 0; i < 7; i++) await (await fetch(`${base}/a`)).text()
  for (let i = 0; i < 5; i++) await (await fetch(`${base}/b`)).text()
  server.close()
})
