// The live stream's heatmap columns against a real SeriesRing whose rotations fall unevenly
// between ticks (the ring has its own timer and period, e.g. a 2 s stream over 1 s intervals):
// every interval's final count must reach the page's store, which merges ticks by interval
// start like the page does.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { SeriesRing } from '../../collectors/series-ring'
import { slimSnapshot, type LiveSnapshot, type SentUpTo } from '../../web/server/live-feed'
import { LiveStore } from '../../web/client/live/live-store'

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

test.run()
