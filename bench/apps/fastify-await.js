// Bench app for bench/request-cost-hooks.ts: fastify, one route whose handler awaits a
// setImmediate and returns a small object (a request with a few async boundaries: the request's
// start, the immediate, the promise continuations, the socket write). /cpu answers the process's
// CPU time (µs, process.cpuUsage). Run under `node -r dist/register.js`; prints "PORT n".
'use strict'
const fastify = require('fastify')

const app = fastify()
app.get('/', async () => { await new Promise((resolve) => setImmediate(resolve)); return { ok: true } })
app.get('/cpu', async () => { const u = process.cpuUsage(); return { us: u.user + u.system } })
app.listen({ port: 0, host: '127.0.0.1' }).then(() => process.stdout.write(`PORT ${app.server.address().port}\n`))
process.stdin.on('data', () => {})
process.stdin.on('end', () => app.close().then(() => process.exit(0)))
