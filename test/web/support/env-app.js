// A tiny app for the SONDE_DASHBOARD test: an http server answering /work, alive for
// ALIVE_MS (default 20 s), then it exits by itself (the unref'd dashboard must not hold it).
'use strict'
const http = require('node:http')
const server = http.createServer((req, res) => { res.end('ok\n') }).listen(0, '127.0.0.1')
setTimeout(() => server.close(), Number(process.env.ALIVE_MS || 20000))
