// Collectors fed through the real event sources with known data (prime counts), config
// validation, Prometheus exposition names and values, and a throwing collector.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createEventSource, messageEvents, httpEvents, type GcEvent } from '../../runtime/runtime-events'
import { allocSampleEvents } from '../../runtime/alloc-sampler'
import { startCollectors, stopCollectors, collectors, CollectorConfigError, parseCollectSpec } from '../../collectors/index'
import { routeTemplate, RouteTable } from '../../collectors/route-template'

// Synthetic GC events only: the GC collector subscribes to a source of its own, not to the
// real per-isolate GC ring's gcEvents.
const gcEvents = createEventSource<GcEvent>('gc')
const noGcHook = { gcEvents }

function metricValue(text: string, line: RegExp): number {
  const m = text.split('\n').find((l) => line.test(l))
  assert.ok(m, `no line matching ${line}`)
  return Number(m!.slice(m!.lastIndexOf(' ') + 1))
}

test('SONDE_COLLECT parsing and strict validation naming the option', () => {
  assert.equal(parseCollectSpec('gc,messages').collectors, ['messages', 'gc'])
  assert.equal(parseCollectSpec('default,-alloc').collectors, ['messages', 'gc', 'eventloop', 'http', 'request-cost'])
  assert.equal(parseCollectSpec('none').collectors, [])
  assert.is(parseCollectSpec('alloc,alloc-interval=65536').allocIntervalBytes, 65536)
  assert.throws(() => parseCollectSpec('gc,bogus'), (e: Error) => e instanceof CollectorConfigError && /unknown collector "bogus"/.test(e.message))
  assert.throws(() => parseCollectSpec('alloc-interval=12'), /alloc-interval must be an integer in 1024/)
  assert.is(parseCollectSpec('default').allocMaxRate, 100)
  assert.is(parseCollectSpec('default,alloc-max-rate=0').allocMaxRate, 0)
  assert.throws(() => parseCollectSpec('alloc-max-rate=-5'), /alloc-max-rate must be an integer in 0/)
  assert.throws(() => startCollectors({ allocIntervalBytes: -1 }), /allocIntervalBytes/)
  assert.throws(() => startCollectors({ colectors: ['gc'] } as never), /unknown option "colectors"/)
})

test('route templates are bounded', () => {
  assert.is(routeTemplate('/users/123/orders/0a1b2c3d4e5f?x=1'), '/users/:id/orders/:id')
  assert.is(routeTemplate('/u/123e4567-e89b-12d3-a456-426614174000'), '/u/:id')
  assert.is(routeTemplate('/static/app.js'), '/static/app.js')
  const t = new RouteTable(3)
  for (let i = 0; i < 10; i++) t.label(`/r${'abcdefghij'[i]}`)
  assert.is(t.label('/zzz'), 'other')
  assert.is(t.label('/x', '/ignored-too'), 'other')
  assert.is(t.dropped, 9)
})

test('gc: 23 scavenges + 7 mark-compacts, every event counted per kind; prometheus names', async () => {
  startCollectors('gc', noGcHook)
  let t = 1e9
  for (let i = 0; i < 23; i++) gcEvents.emit({ kind: 1, flags: 0, startNs: (t += 1e6), durationNs: 300_000, usedBeforeBytes: 20e6, usedAfterBytes: 12e6, committedBeforeBytes: 0, committedAfterBytes: 0, threadId: 0 })
  for (let i = 0; i < 7; i++) gcEvents.emit({ kind: 4, flags: 0, startNs: (t += 1e6), durationNs: 5_000_000, usedBeforeBytes: 40e6, usedAfterBytes: 10e6, committedBeforeBytes: 0, committedAfterBytes: 0, threadId: 0 })
  const s = collectors.snapshot()
  assert.is(s.gc!.count, 30)
  assert.is(s.gc!.kinds.find((k) => k.kind === 'scavenge')!.count, 23)
  assert.is(s.gc!.kinds.find((k) => k.kind === 'mark_sweep_compact')!.count, 7)
  assert.is(s.gc!.totalNs, 23 * 300_000 + 7 * 5_000_000)
  assert.is(s.gc!.freedBytes, 23 * 8e6 + 7 * 30e6)
  const text = await collectors.metrics()
  assert.is(metricValue(text, /^sonde_gc_duration_seconds_count\{kind="scavenge"\}/), 23)
  assert.ok(Math.abs(metricValue(text, /^sonde_gc_duration_seconds_sum\{kind="mark_sweep_compact"\}/) - 0.035) < 1e-9)
  assert.is(metricValue(text, /^sonde_gc_duration_seconds_bucket\{kind="scavenge",le="0.000256"\}/), 0)
  assert.is(metricValue(text, /^sonde_gc_duration_seconds_bucket\{kind="scavenge",le="0.000512"\}/), 23)
  assert.match(text, /# TYPE sonde_gc_share_ratio gauge/)
  stopCollectors()
})

test('messages: latency per channel/direction, in flight = sent − picked up', async () => {
  startCollectors('messages')
  for (let i = 0; i < 29; i++) messageEvents.emit({ phase: 'send', channelId: 5, seq: i, bytes: -1, direction: 'parent->worker', threadId: 0 })
  for (let i = 0; i < 23; i++) messageEvents.emit({ phase: 'receive', channelId: 5, seq: i, bytes: -1, latencyNs: 10_000 * (i + 1), direction: 'parent->worker', threadId: 1 })
  const ch = collectors.snapshot().messages!.channels[0]
  assert.is(ch.sent, 29); assert.is(ch.received, 23); assert.is(ch.inFlight, 6)
  assert.is(ch.latencyNs.max, 230_000)
  const text = await collectors.metrics()
  assert.is(metricValue(text, /^sonde_message_latency_seconds_count\{channel="5",direction="parent->worker"\}/), 23)
  assert.ok(Math.abs(metricValue(text, /^sonde_message_latency_seconds_sum\{channel="5",direction="parent->worker"\}/) - 0.01 * 276 / 1000 * 1000 / 1000) < 1e-9)
  assert.is(metricValue(text, /^sonde_message_in_flight\{channel="5",direction="parent->worker"\}/), 6)
  stopCollectors()
})

test('http + alloc: labels by method/route/status; sites sorted by bytes; bounded counter labels', async () => {
  startCollectors({ collectors: ['http', 'alloc'], topSites: 2 })
  for (let i = 0; i < 13; i++) httpEvents.emit({ side: 'server', phase: 'response', requestId: i, method: 'GET', url: `/items/${i}?q=1`, status: 200, startNs: 0, durationNs: 2e6 })
  httpEvents.emit({ side: 'server', phase: 'response', requestId: 99, method: 'POST', url: '/x', route: '/things/:id', status: 500, startNs: 0, durationNs: 1e6 })
  httpEvents.emit({ side: 'server', phase: 'response', requestId: 100, method: 'GET', url: '/items/7', status: 200, startNs: 0, durationNs: 2e6 })  // back to the first series
  httpEvents.emit({ side: 'server', phase: 'response', requestId: 101, method: 'GET', url: '/items/7', status: 404, startNs: 0, durationNs: 2e6 })  // same route, other status
  for (const [fn, n] of [['small', 3], ['big', 11], ['mid', 5]] as const) for (let i = 0; i < n; i++) allocSampleEvents.emit({ bytes: 65536, functionName: fn, url: 'file:///app.js', line: 7 })
  const s = collectors.snapshot()
  assert.equal(s.alloc!.sites.map((x) => x.function), ['big', 'mid'])
  assert.is(s.alloc!.sites[0].bytes, 11 * 65536)
  const text = await collectors.metrics()
  assert.is(metricValue(text, /^sonde_http_request_duration_seconds_count\{method="GET",route="\/items\/:id",status="200"\}/), 14)
  assert.is(metricValue(text, /^sonde_http_request_duration_seconds_count\{method="GET",route="\/items\/:id",status="404"\}/), 1)
  assert.is(metricValue(text, /^sonde_http_request_duration_seconds_count\{method="POST",route="\/things\/:id",status="500"\}/), 1)
  assert.is(metricValue(text, /^sonde_alloc_bytes_total\{function="big"/), 11 * 65536)
  assert.not.match(text, /function="small"/)
  stopCollectors()
})

test('request-cost: every request counted, CPU/GC/allocation measured for at most cost-per-sec of them', () => {
  const set = startCollectors({ collectors: ['request-cost'], costPerSec: 23 })
  for (let i = 0; i < 1000; i++) {
    httpEvents.emit({ side: 'server', phase: 'request', requestId: i, method: 'GET', url: '/r', startNs: 0 })
    httpEvents.emit({ side: 'server', phase: 'response', requestId: i, method: 'GET', url: '/r', status: 200, startNs: 0, durationNs: 1 })
  }
  set.collectors.requestCost!.flush(true)
  const row = collectors.snapshot().requestCost!.routes[0]
  assert.is(row.count, 1000)
  assert.is(row.measured, 23, 'a full bucket of 23 tokens; refill in these few ms < 1 token')
  assert.is(row.histograms.cpu.count, 23)
  assert.is(row.histograms.gc.count, 23, 'GC time per request: the same sample as CPU')
  stopCollectors()
})

test('a collector whose listener throws switches itself off with one warning; the app runs on', () => {
  const warnings: string[] = []
  const onWarn = (w: Error & { code?: string }) => { if (w.code === 'SONDE_COLLECTOR_FAULT') warnings.push(w.message) }
  process.on('warning', onWarn)
  const set = startCollectors('gc,messages', noGcHook)
  const gc = set.collectors.gc!
  gc.byKind.set('scavenge', { record() { throw new Error('boom') } } as never)
  for (let i = 0; i < 17; i++) gcEvents.emit({ kind: 1, flags: 0, startNs: i, durationNs: 1000, usedBeforeBytes: 2, usedAfterBytes: 1, committedBeforeBytes: 0, committedAfterBytes: 0, threadId: 0 })
  assert.is(gc.running, false)
  assert.is(gc.guard.faults, 1)
  assert.is(gcEvents.faults, 0, 'runtime-events never saw our fault')
  assert.is(set.collectors.messages!.running, true, 'other collectors keep running')
  stopCollectors()
  return new Promise<void>((resolve) => setImmediate(() => {
    process.off('warning', onWarn)
    assert.is(warnings.length, 1)
    assert.match(warnings[0], /gc collector threw/)
    resolve()
  }))
})

test.run()
