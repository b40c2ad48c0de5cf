// An app that makes every collector produce series: an http server it requests itself (http,
// request-cost, allocation), a worker it messages (messages, the worker's GCs), garbage (gc).
// Prints "ready PORT" once done; exits after ALIVE_MS.
'use strict'
const { Worker, isMainThread, parentPort } = require('node:worker_threads')
const http = require('node:http')

if (!isMainThread) {
  parentPort.on('message', (m) => parentPort.postMessage(m + 1))
} else {
  const server = http.createServer((req, res) => {
    let keep = []
    for (let i = 0; i < 20000; i++) { keep.push({ i, s: 'x'.repeat(i % 50) }); if (keep.length > 500) keep = [] }
    res.end(String(keep.length))
  })
  server.listen(0, '127.0.0.1', async () => {
    const { port } = server.address()
    const w = new Worker(__filename)
    for (let i = 0; i < 20; i++) await new Promise((r) => { w.once('message', r); w.postMessage(i) })
    for (let i = 0; i < 40; i++) await fetch(`http://127.0.0.1:${port}/items/${i}`).then((r) => r.text())
    await w.terminate()
    process.stdout.write(`ready ${port}\n`)
  })
  setTimeout(() => server.close(), Number(process.env.ALIVE_MS || 20000))
}
