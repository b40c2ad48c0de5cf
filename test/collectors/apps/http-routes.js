// Fixture for test/collectors/http-routes.test.ts: an express app under -r dist/register.js with a
// sub-router mounted at /api (route label = baseUrl + route path), a plain route, a route that
// answers after a timer (requests overlap: starts and finishes interleave) and no route at all
// (404: label from the bounded path template). With SONDE_EXTRA_LISTENER=1 the app subscribes its
// own httpEvents listener (a non-collector consumer: the hook then builds events too) and
// counts what it saw. Prints "PORT n"; on stdin end prints "SEEN {...}" and exits.
'use strict'
const express = require('express')
const seen = {}
if (process.env.SONDE_EXTRA_LISTENER === '1') {
  const { httpEvents } = require(process.env.SONDE_DIST + '/runtime/runtime-events.js')
  httpEvents.subscribe((e) => { if (e.side === 'server' && e.phase === 'response') seen[e.method + ' ' + e.status] = (seen[e.method + ' ' + e.status] || 0) + 1 })
}
const app = express()
const api = express.Router()
api.get('/items/:id', (req, res) => { res.send('item ' + req.params.id) })
app.use('/api', api)
app.post('/things', (req, res) => { res.status(201).send('made') })
app.get('/slow', (req, res) => { setTimeout(() => res.send('slow'), 5) })
const server = app.listen(0, '127.0.0.1', () => process.stdout.write(`PORT ${server.address().port}\n`))
process.stdin.on('data', () => {})
process.stdin.on('end', () => { process.stdout.write(`SEEN ${JSON.stringify(seen)}\n`); server.close(() => process.exit(0)) })
