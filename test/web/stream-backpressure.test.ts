// 20 stream clients that never read, for 15 rounds of 3 s, against a real `sonde demo` ticking every
// 100 ms: the server's memory stays bounded, droppedEvents counts the events it dropped for
// them, and it keeps answering /api/status throughout. Bounded: the queues hold ≤ 4 events and
// 512 kB per client (queuedBytes); with the caps lifted the same run queued 222 MB while RSS
// grew 65 MB (one event is one string every client's queue shares), so queuedBytes is the bound
// that tells. RSS is a backstop for a gross leak (< 128 MB): the demo's own heap moves it by
// 26-65 MB in this window from run to run.
// Raw sockets: each sends the request and then never reads (paused), so the kernel buffers
// fill and res.write() reports backpressure.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import net from 'node:net'
import { startDemoChild, getJson, DEMO_TOKEN, type DemoChild } from './support/demo-child'

interface Status { pid: number; streamClients: number; droppedEvents: number; sentEvents: number; queuedBytes: number; rssBytes: number }

test('20 clients that never read for 45 s: bounded memory, drops counted, server answers', async () => {
  const demo: DemoChild = await startDemoChild(['--duration', '120', '--stream-interval', '100'])
  const sockets: net.Socket[] = []
  try {
    const port = Number(new URL(demo.url).port)
    await new Promise((r) => setTimeout(r, 3000)) // warm-up: JIT, first GCs, worker pool
    const before = await getJson<Status>(`${demo.url}api/status`)
    for (let i = 0; i < 20; i++) {
      const s = net.connect(port, '127.0.0.1')
      s.on('error', () => {})
      s.write(`GET /api/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${DEMO_TOKEN}\r\nAccept: text/event-stream\r\n\r\n`)
      s.pause()
      sockets.push(s)
    }
    // 15 rounds of 3 s: each /api/status must answer (getJson throws otherwise); how long the
    // slowest took is printed, not asserted (a shared machine).
    let maxRss = before.rssBytes, answered = 0, last = before, slowestMs = 0
    for (let round = 0; round < 15; round++) {
      await new Promise((r) => setTimeout(r, 3000))
      const t = Date.now()
      const s = await getJson<Status>(`${demo.url}api/status`)
      slowestMs = Math.max(slowestMs, Date.now() - t)
      answered++
      maxRss = Math.max(maxRss, s.rssBytes)
      last = s
    }
    const growthMb = (maxRss - before.rssBytes) / 2 ** 20
    console.log(`  rss before ${(before.rssBytes / 2 ** 20).toFixed(1)} MB, max ${(maxRss / 2 ** 20).toFixed(1)} MB (+${growthMb.toFixed(1)} MB); clients ${last.streamClients}; sent ${last.sentEvents}; dropped ${last.droppedEvents}; queued ${last.queuedBytes} B; ${answered} status answers, slowest ${slowestMs} ms`)
    assert.is(last.streamClients, 20)
    assert.ok(growthMb < 128, `memory grew ${growthMb.toFixed(1)} MB`)
    assert.ok(last.droppedEvents > 0, 'drops are counted')
    // 20 clients × ~450 ticks: every event is either written, queued (≤ 4 per client) or dropped.
    assert.ok(last.queuedBytes <= 20 * 512 * 1024, `queues bounded: ${last.queuedBytes}`)
    assert.is(answered, 15)
  } finally {
    for (const s of sockets) s.destroy()
    const t = Date.now()
    while (Date.now() - t < 5000) {
      try { if ((await getJson<Status>(`${demo.url}api/status`)).streamClients === 0) break } catch { break }
      await new Promise((r) => setTimeout(r, 100))
    }
    const after = await getJson<Status>(`${demo.url}api/status`).catch(() => undefined)
    assert.is(after?.streamClients, 0, 'closed clients are removed')
    assert.is(await demo.stop(), 0)
  }
})

test.run()
