// App for the Prometheus test: an http server that answers /wait/:ms after ms milliseconds
// (a spread of latencies), /work/:n with n × 1000 small objects (CPU, allocation, scavenges);
// it requests itself REQUESTS times on each route, prints "ready", then idles until ALIVE_MS.
'use strict'
const http = require('node:http')
const server = http.createServer((req, res) => {
  const [, route, arg] = req.url.split('/')
  const n = Number(arg)
  if (route === 'wait') { setTimeout(() => res.end('ok'), n); return }
  let keep = []
  for (let i = 0; i < n * 1000; i++) { keep.push({ i }); if (keep.length > 200) keep = [] }
  res.end(String(keep.length))
})
server.listen(0, '127.0.0.1', async () => {
  const { port } = server.address()
  const N = Number(process.env.REQUESTS || 41)
  for (let i = 0; i < N; i++) {
    await fetch(`http://127.0.0.1:${port}/wait/${1 + (i * 7) % 23}`).then((r) => r.text())
    await fetch(`http://127.0.0.1:${port}/work/${1 + (i * 5) % 31}`).then((r) => r.text())
  }
  process.stdout.write('ready\n')
})
setTimeout(() => server.close(), Number(process.env.ALIVE_MS || 60000))
