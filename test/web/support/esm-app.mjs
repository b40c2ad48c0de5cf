// An ES-module app for `node --import sonde/register`: an http server that serves REQUESTS
// requests to itself, prints its port, stays up ALIVE_MS, then exits by itself.
import http from 'node:http'
const server = http.createServer((req, res) => res.end('ok\n'))
server.listen(0, '127.0.0.1', async () => {
  const { port } = server.address()
  for (let i = 0; i < Number(process.env.REQUESTS || 0); i++) await fetch(`http://127.0.0.1:${port}/esm/${i}`).then((r) => r.text())
  process.stdout.write(`requests done ${port}\n`)
})
setTimeout(() => server.close(), Number(process.env.ALIVE_MS || 10000))
