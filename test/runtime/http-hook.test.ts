// The HTTP hook pairs each server request's finish with its start (the id it logs at both, for
// the requests it measures for request-cost: every one here, with the budget set high): several
// requests on one keep-alive connection, pipelined ones, and a request that finished while the hook was gated
// off (its finish never seen) must not disturb the ones after it; the app's request object gets
// no property of the hook's unless it was pipelined. Without a budget only finishes
// are logged. A measured request whose client goes away (no finish) frees its measuring slot.
// The hook's clock is process.hrtime's (the addon's CLOCK_MONOTONIC read when it is loaded).
// Real http server in this process, one keep-alive connection; truth: the requests
// the test sent, in order, and process.hrtime read around them.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import http from 'node:http'
import net from 'node:net'
import { installHttpHook } from '../../runtime/hooks/http-hook'
import { disabledProbeSet } from '../../runtime/hooks/install-hooks'
import { httpServerLog, HTTP_LOG_START, HTTP_LOG_FINISH, HTTP_LOG_GC } from '../../runtime/runtime-events'
import { costInFlight } from '../../runtime/request-context'
import { addonStatus, nativeAddon } from '../../probes/addon'

type Entry = { kind: number; id: number; url?: string; measured?: boolean }
/** httpServerLog entries from seq `from` on (the log holds far more than these tests write). */
function entries(from: number): Entry[] {
  const out: Entry[] = []
  for (let i = from; i < httpServerLog.seq; i++) {
    const k = i & (httpServerLog.size - 1)
    if (httpServerLog.kind[k] === HTTP_LOG_GC) continue  // a finished request's share of a later GC
    const finish = httpServerLog.kind[k] === HTTP_LOG_FINISH
    out.push({ kind: httpServerLog.kind[k], id: httpServerLog.id[k], url: finish ? httpServerLog.url[k] : undefined, measured: finish ? httpServerLog.cpuNs[k] >= 0 : undefined })
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

/** The symbol properties each request to /sym/… had when the app got it. */
const symbolsSeen: string[][] = []

async function withServer(fn: (port: number, held: { release?: () => void }) => Promise<void>, measuredPerSec = 1e6): Promise<void> {
  const held: { release?: () => void } = {}
  httpServerLog.measuredPerSec = measuredPerSec
  const server = http.createServer((req, res) => {
    if (req.url?.startsWith('/sym/')) symbolsSeen.push(Object.getOwnPropertySymbols(req).map(String))
    if (req.url === '/hold') held.release = () => res.end('held')
    else if (req.url === '/never') held.release = () => {}  // answered by nobody: the client gives up
    else if (req.url?.startsWith('/late/')) setTimeout(() => res.end('late'), 30)
    else res.end('ok')
  })
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const uninstall = installHttpHook(disabledProbeSet())
  try { await fn((server.address() as { port: number }).port, held) } finally {
    httpServerLog.measuredPerSec = 0
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
      assert.equal(log[2 * i + 1], { kind: HTTP_LOG_FINISH, id: log[2 * i].id, url: `/r/${i}`, measured: true })
    }
  } finally { off(); agent.destroy() }
}))

test('pipelined requests on one connection: each finish matches its own start, in order', () => withServer(async (port) => {
  const off = httpServerLog.subscribe(() => {})
  try {
    const from = httpServerLog.seq
    const urls = ['/late/0', '/p/1', '/late/2', '/p/3']
    // one write: Node parses all four before the first is answered, and answers them in order
    await new Promise<void>((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1')
      let got = ''
      s.setEncoding('utf8')
      s.on('data', (d) => { got += d })
      s.on('error', reject)
      s.on('end', () => { assert.is((got.match(/HTTP\/1\.1 200/g) ?? []).length, 4, got); resolve() })
      s.write(urls.map((u, i) => `GET ${u} HTTP/1.1\r\nHost: x\r\n${i === urls.length - 1 ? 'Connection: close\r\n' : ''}\r\n`).join(''))
    })
    const log = entries(from)
    const starts = log.filter((e) => e.kind === HTTP_LOG_START), finishes = log.filter((e) => e.kind === HTTP_LOG_FINISH)
    assert.is(starts.length, 4)
    assert.equal(finishes.map((e) => [e.url, e.id]), urls.map((u, i) => [u, starts[i].id]), 'finish i carries the id of start i')
  } finally { off() }
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
    assert.equal(log[2], { kind: HTTP_LOG_FINISH, id: log[1].id, url: '/after', measured: true })
    assert.equal(log[4], { kind: HTTP_LOG_FINISH, id: log[3].id, url: '/again', measured: true })
  } finally { off(); agent.destroy() }
}))

test('without a measuring budget only finishes are logged, each with its own start time', () => withServer(async (port) => {
  const off = httpServerLog.subscribe(() => {})
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
  try {
    const from = httpServerLog.seq
    const sent: [number, number][] = []
    for (let i = 0; i < 3; i++) {
      const t0 = Number(process.hrtime.bigint())
      await get(agent, port, `/u/${i}`)
      sent.push([t0, Number(process.hrtime.bigint())])
    }
    const log = entries(from)
    assert.equal(log.map((e) => [e.kind, e.url, e.measured]), [0, 1, 2].map((i) => [HTTP_LOG_FINISH, `/u/${i}`, false]))
    for (let i = 0; i < 3; i++) {
      const k = (from + i) & (httpServerLog.size - 1)
      const [t0, t1] = sent[i]
      assert.ok(httpServerLog.startNs[k] >= t0 && httpServerLog.ns[k] <= t1 && httpServerLog.startNs[k] <= httpServerLog.ns[k], `request ${i}: its start and finish inside the client's round trip`)
    }
  } finally { off(); agent.destroy() }
}, 0))

// The app's request object gets no property of sonde's (its id is held by the connection's
// socket): express changes every request's hidden class, and a property of ours would make each
// of those changes copy a longer descriptor array. A pipelined request carries its id itself.
test('a request the app gets carries no property of the hook unless it was pipelined', () => withServer(async (port) => {
  const off = httpServerLog.subscribe(() => {})
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
  try {
    symbolsSeen.length = 0
    for (let i = 0; i < 3; i++) await get(agent, port, `/sym/${i}`)
    await new Promise<void>((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1')
      s.on('error', reject).on('end', resolve).resume()
      s.write('GET /late/sym HTTP/1.1\r\nHost: x\r\n\r\nGET /sym/pipelined HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')
    })
    const ours = (syms: string[]) => syms.filter((x) => x.includes('sonde'))
    assert.equal(symbolsSeen.slice(0, 3).map(ours), [[], [], []], 'keep-alive requests: nothing of ours on the request')
    assert.equal(ours(symbolsSeen[3]), ['Symbol(sonde.http.requestId)'], 'the pipelined request carries its id')
  } finally { off(); agent.destroy() }
}, 0))

test('a measured request whose client goes away before the response frees its measuring slot', () => withServer(async (port, held) => {
  const off = httpServerLog.subscribe(() => {})
  try {
    for (let i = 0; i < 7; i++) {
      held.release = undefined
      const req = http.get({ host: '127.0.0.1', port, path: '/never', agent: false })
      req.on('error', () => {})
      while (!held.release) await new Promise((r) => setTimeout(r, 5))
      assert.is(costInFlight(), 1, `request ${i} measured`)
      req.destroy()
      const t0 = Date.now()
      while (costInFlight() > 0 && Date.now() - t0 < 5000) await new Promise((r) => setTimeout(r, 5))
      assert.is(costInFlight(), 0, `aborted request ${i} still holds its slot`)
    }
    const from = httpServerLog.seq
    await get(new http.Agent(), port, '/after')
    assert.ok(entries(from).some((e) => e.url === '/after' && e.measured), 'the next request is measured')
    assert.is(costInFlight(), 0)
  } finally { off() }
}))

test('the logged start and finish times are on process.hrtime\'s clock, between reads taken around the request', () => withServer(async (port) => {
  if (addonStatus().loaded) assert.type(nativeAddon().costWallRead, 'function', 'the addon reads the clock')
  const off = httpServerLog.subscribe(() => {})
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 })
  try {
    for (let i = 0; i < 5; i++) {
      const from = httpServerLog.seq
      const t0 = Number(process.hrtime.bigint())
      await get(agent, port, `/late/${i}`)
      const t1 = Number(process.hrtime.bigint())
      let k = -1
      for (let j = from; j < httpServerLog.seq; j++) if (httpServerLog.kind[j & (httpServerLog.size - 1)] === HTTP_LOG_FINISH) k = j & (httpServerLog.size - 1)
      assert.ok(k >= 0, 'a finish entry')
      const start = httpServerLog.startNs[k], finish = httpServerLog.ns[k]
      assert.ok(t0 <= start && start < finish && finish <= t1, `${t0} ≤ ${start} < ${finish} ≤ ${t1}`)
      assert.ok(finish - start >= 25e6, `the 30 ms timer inside: ${(finish - start) / 1e6} ms`)
    }
  } finally { off(); agent.destroy() }
}))

test.run()
