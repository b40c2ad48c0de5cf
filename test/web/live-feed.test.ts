// The live stream's heatmap columns against a real SeriesRing whose rotations fall unevenly
// between ticks (the ring has its own timer and period, e.g. a 2 s stream over 1 s intervals):
// every interval's final count must reach the page's store, which merges ticks by interval
// start like the page does; so must the final count of the interval that was filling when a
// client joined (its backfill), with no tick sent before. The GC timeline: every GC reaches a
// store once, whether it came in the backfill, a tick, or late from a worker's bridge flush.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { SeriesRing } from '../../collectors/series-ring'
import { slimSnapshot, startLiveFeed, type LiveSnapshot, type SentUpTo } from '../../web/server/live-feed'
import type { StreamHub } from '../../web/server/stream-hub'
import { LiveStore } from '../../web/client/live/live-store'
import { createGcCollector } from '../../collectors/gc'
import { createEventSource, type GcEvent } from '../../runtime/runtime-events'

const snap = (ring: SeriesRing, timeMs: number): LiveSnapshot =>
  ({ timeMs, http: { heatmap: ring.snapshot() } }) as unknown as LiveSnapshot

test('several rotations between ticks: the interval that was filling at the earlier tick still gets its final count, none is skipped', () => {
  const ring = new SeriesRing({ intervalMs: 1000, slots: 60 })
  const store = new LiveStore()
  const sent: SentUpTo = {}
  let t = 1_000_000
  // a pattern of rotations per tick: mostly one, sometimes two, sometimes none
  const rotationsPerTick = [1, 1, 2, 0, 1, 3, 1, 0, 2, 1, 1, 2]
  const truth = new Map<number, number>()
  for (const rotations of rotationsPerTick) {
    for (let r = 0; r < rotations; r++) {
      for (let i = 0; i < 5; i++) ring.record(1e6)  // requests that land late in the interval
      t += 1000
      ring.rotate(t)
      for (let i = 0; i < 3; i++) ring.record(2e6)  // and early in the next
    }
    store.tick(slimSnapshot(snap(ring, t), 0, sent))
  }
  for (const p of ring.snapshot().points) truth.set(p.startMs, p.histogram.count)
  const shown = new Map(store.http.points().map((p) => [p.startMs, p.histogram.count]))
  const sorted = (m: Map<number, number>) => [...m.entries()].sort((a, b) => a[0] - b[0])
  assert.is(shown.size, truth.size, 'every interval reached the page')
  assert.equal(sorted(shown), sorted(truth), 'with its final count')
  // the old cut (last two intervals only) loses the final count of a column after a double rotation
  const old = new LiveStore()
  const ring2 = new SeriesRing({ intervalMs: 1000, slots: 60 })
  ring2.record(1e6)
  old.tick(slimSnapshot(snap(ring2, t), 0))
  const first = ring2.snapshot().points[0].startMs
  ring2.record(1e6); ring2.rotate(t + 1000); ring2.rotate(t + 2000)
  old.tick(slimSnapshot(snap(ring2, t), 0))
  assert.is(old.http.points().find((p) => p.startMs === first)!.histogram.count, 1, 'without sentUpTo: the partial count stays')
})

test('ticks stay bounded: at least the last two intervals, at most the ring', () => {
  const ring = new SeriesRing({ intervalMs: 1000, slots: 10 })
  const sent: SentUpTo = {}
  let t = 0
  for (let i = 0; i < 5; i++) ring.rotate(t += 1000)
  const n = (s: LiveSnapshot) => s.http!.heatmap.points.length
  assert.is(n(slimSnapshot(snap(ring, t), 0, sent)), 2, 'first tick: the last two')
  assert.is(n(slimSnapshot(snap(ring, t), 0, sent)), 2, 'no rotation since: still the last two')
  for (let i = 0; i < 30; i++) ring.rotate(t += 1000)
  assert.is(n(slimSnapshot(snap(ring, t), 0, sent)), 10, 'many rotations since: the whole ring, no more')
})

test('a client that joins before any tick, then two rotations before the first: its store gets the final count of the interval filling as it joined', async () => {
  const ring = new SeriesRing({ intervalMs: 1000, slots: 60 })
  let t = Date.now(), clients = 0
  const ticks: string[] = []
  // the transport is not under test here: a hub that records what the feed broadcasts
  const hub = { get size() { return clients }, broadcast: (_e: string, d: string) => { ticks.push(d) } } as unknown as StreamHub
  const feed = startLiveFeed(hub, 20, () => snap(ring, t))
  try {
    ring.record(1e6)
    const store = new LiveStore()
    clients = 1
    store.backfill(feed.backfill())
    const joined = ring.snapshot().points.at(-1)!.startMs
    ring.record(1e6); ring.rotate(t += 1000); ring.record(1e6); ring.rotate(t += 1000)
    for (let i = 0; i < 100 && ticks.length === 0; i++) await new Promise((r) => setTimeout(r, 20))
    assert.ok(ticks.length > 0, 'a tick was sent')
    store.tick(JSON.parse(ticks[0]) as LiveSnapshot)
    const counts = store.http.points().filter((p) => p.startMs >= joined).map((p) => p.histogram.count)
    assert.equal(counts, [2, 1, 0], 'the interval filling at the join (final), the next, the one filling now')
  } finally { feed.stop() }
})

test('GC timeline: a worker\'s GCs arrive after later main-thread GCs, a client joins between ticks: every GC once in each store', async () => {
  const main = createEventSource<GcEvent>('gc-main'), worker = createEventSource<GcEvent>('gc-worker')
  const gc = createGcCollector({ events: main }), workerGc = createGcCollector({ events: worker })
  const ev = (startNs: number, threadId: number): GcEvent => ({ kind: 1, flags: 0, startNs, durationNs: 1000, usedBeforeBytes: 2, usedAfterBytes: 1, committedBeforeBytes: 0, committedAfterBytes: 0, threadId })
  const flushWorker = (startNs: number): void => { worker.emit(ev(startNs, 1)); gc.mergeDelta(workerGc.drainDelta()) }
  let clients = 0
  const ticks: string[] = []
  const hub = { get size() { return clients }, broadcast: (_e: string, d: string) => { ticks.push(d) } } as unknown as StreamHub
  gc.start(); workerGc.start()
  const feed = startLiveFeed(hub, 20, () => ({ timeMs: Date.now(), gc: gc.snapshot() }) as unknown as LiveSnapshot)
  const nextTick = async (): Promise<LiveSnapshot> => {
    const n = ticks.length
    for (let i = 0; i < 200 && ticks.length === n; i++) await new Promise((r) => setTimeout(r, 10))
    assert.ok(ticks.length > n, 'a tick was sent')
    return JSON.parse(ticks[ticks.length - 1]) as LiveSnapshot
  }
  try {
    const early = new LiveStore(), late = new LiveStore()
    clients = 1
    early.backfill(feed.backfill())
    main.emit(ev(100, 0)); main.emit(ev(200, 0)); flushWorker(150)
    early.tick(await nextTick())
    main.emit(ev(300, 0)); flushWorker(250)
    late.backfill(feed.backfill())
    const t = await nextTick()
    early.tick(t); late.tick(t)
    assert.is(gc.snapshot().count, 5)
    for (const [name, store] of [['joined first', early], ['joined between ticks', late]] as const) {
      assert.equal(store.gc.map((g) => g.startNs).sort((a, b) => a - b), [100, 150, 200, 250, 300], name)
    }
  } finally { feed.stop(); gc.stop(); workerGc.stop() }
})

test.run()
