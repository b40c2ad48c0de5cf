// The HTTP hook pairs each server request's finish with its start (the id it logs at both):
// several requests on one keep-alive connection, and a request that finished while the hook was
// gated off (its finish never seen) must not disturb the ones after it. Real http server in
// this process, one keep-alive connection; truth: the requests the test sent, in order.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import http from 'node:http'
import { installHttpHook } from '../../probes/hooks/http-hook'
import { disabledProbeSet } from '../../probes/hooks/install-hooks'
import { httpServerLog, HTTP_LOG_START, HTTP_LOG_FINISH } from '../../probes/runtime-events'

type Entry = { kind: number; id: number; url?: string }
/** httpServerLog entries from seq `from` on (the log holds far more than these tests write). */
function entries(from: number): Entry[] {
  const out: Entry[] = []
  for (let i = from; i < httpServerLog.seq; i++) {
    const k = i & (httpServerLog.size - 1)
    out.push({ kind: httpServerLog.kind[k], id: httpServerLog.id[k], url: httpServerLog.kind[k] === HTTP_LOG_FINISH ? httpServerLog.url[k] : undefined })
  }
  return out
}

function get(agent: http.Agent, port: number, path: string): Promise<{ status: number; localPort: number }> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path, agent }, (res) => {
      res.resume()
      res.on('end', () => resolve({ status: res.statusCode ?? 0, localPort: res.socket?.localPort ?? -1 }))
    }).on('error', reject)
  })
}

async function withServer(fn: (port: number, held: { release?: () => void }) => Promise<void>): Promise<void> {
  const held: { release?: () => void } = {}
  const server = http.createServer((req, res) => {
    if (req.url === '/hold') held.release = () => res.end('held')
    else res.end('ok')
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const uninstall = installHttpHook(disabledProbeSet())
  try { await fn((server.address() as { port: number }).port, held) } finally {
    uninstall()
    server.closeAllConnections()
    await new Promise((r) => server.close(r))
  }
}

test('server requests on one keep-alive connection: each finish matches its start', () => withServer(async (port) => {
  const off = httpServerLog.subscribe(() => {})
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
  try {
    const from = httpServerLog.seq
    const ports = new Set<number>()
    for (let i = 0; i < 5; i++) { const r = await get(agent, port, `/r/${i}`); assert.is(r.status, 200); ports.add(r.localPort) }
    assert.is(ports.size, 1, 'one connection')
    const log = entries(from)
    assert.is(log.length, 10)
    for (let i = 0; i < 5; i++) {
      assert.is(log[2 * i].kind, HTTP_LOG_START)
      assert.equal(log[2 * i + 1], { kind: HTTP_LOG_FINISH, id: log[2 * i].id, url: `/r/${i}` })
    }
  } finally { off(); agent.destroy() }
}))

test('a request that finished while the hook was off does not disturb its connection: the next ones are matched', () => withServer(async (port, held) => {
  let off = httpServerLog.subscribe(() => {})
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
  try {
    const from = httpServerLog.seq
    const first = get(agent, port, '/hold')
    while (!held.release) await new Promise((r) => setTimeout(r, 5))
    off()  // the gate closes: the hook unsubscribes while /hold is in flight
    held.release()
    const a = await first
    off = httpServerLog.subscribe(() => {})
    const b = await get(agent, port, '/after')
    const c = await get(agent, port, '/again')
    assert.is(b.localPort, a.localPort, 'same connection')
    assert.is(c.localPort, a.localPort, 'same connection')
    const log = entries(from)
    assert.equal(log.map((e) => e.kind), [HTTP_LOG_START, HTTP_LOG_START, HTTP_LOG_FINISH, HTTP_LOG_START, HTTP_LOG_FINISH])
    assert.equal(log[2], { kind: HTTP_LOG_FINISH, id: log[1].id, url: '/after' })
    assert.equal(log[4], { kind: HTTP_LOG_FINISH, id: log[3].id, url: '/again' })
  } finally { off(); agent.destroy() }
}))

test.run()
