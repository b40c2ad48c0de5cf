// Fixture for test/collectors/request-cost.test.ts: an express app run with -r dist/register.js
// (collectors from SONDE_COLLECT, dashboard with /api/snapshot on SONDE_DASHBOARD). /heavy builds
// 27 000 small objects (~4 MB of V8 heap per request, measured with a 64 MB semi-space and
// heapUsed before/after: 40 000 rows = 6.0 MB); /light answers a constant. Prints "PORT n".
'use strict'
const express = require('express')

function buildRows(n) {
  const rows = []
  for (let i = 0; i < n; i++) rows.push({ id: i, name: 'item-' + i, score: i * 1.5 })
  return rows
}

const app = express()
app.get('/heavy', (req, res) => { const rows = buildRows(27000); res.send(String(rows.length)) })
app.get('/light', (req, res) => { res.send('ok') })
const server = app.listen(0, '127.0.0.1', () => process.stdout.write(`PORT ${server.address().port}\n`))
process.stdin.on('data', () => {})
process.stdin.on('end', () => server.close(() => process.exit(0)))
