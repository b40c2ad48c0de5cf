// A tiny app for the SONDE_DASHBOARD test: an http server answering /work, alive for
// ALIVE_MS (default 20 s), then it exits by itself (the unref'd dashboard must not hold it).
// With APP_PORT_FILE set, writes its port there once listening.
'use strict'
const http = require('node:http')
const fs = require('node:fs')
const server = http.createServer((req, res) => { res.end('ok\n') }).listen(0, '127.0.0.1', () => {
  if (process.env.APP_PORT_FILE) fs.writeFileSync(process.env.APP_PORT_FILE, String(server.address().port))
})
setTimeout(() => server.close(), Number(process.env.ALIVE_MS || 20000))
