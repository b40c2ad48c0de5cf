// GC collector: every GC the per-isolate hook reports (the native ring delivers each GC, never
// only the first of a batch), a pause histogram per kind, GC share of wall time, heap used
// before/after, bytes freed, bytes allocated between GCs. A worker's deltas are forwarded to
// the main thread (worker-bridge.ts) and merged per kind, with up to 64 of its recent GCs per
// flush for the timeline (threadId tells them apart); share of time is the main thread's.
import type { EventSource, GcEvent } from '../runtime/runtime-events'
import { gcEvents } from '../runtime/gc-ring'
import { Histogram, HistogramSnapshot, createTimeHistogram, createBytesHistogram, summarize } from './histogram'
import { SeriesRing, SeriesSnapshot } from './series-ring'
import { guardedInterval } from './collector-guard'
import { collectorLifecycle } from './collector'

/** V8 GCType bit → exported kind label. */
export const GC_KINDS: Record<number, string> = {
  1: 'scavenge', 2: 'minor_mark_compact', 4: 'mark_sweep_compact', 8: 'incremental_marking', 16: 'weak_callbacks',
}

export function gcKindName(kind: number): string {
  return GC_KINDS[kind] ?? (kind & 4 ? 'mark_sweep_compact' : kind & 1 ? 'scavenge' : kind & 2 ? 'minor_mark_compact' : kind & 8 ? 'incremental_marking' : kind & 16 ? 'weak_callbacks' : 'other')
}

export interface GcDelta { kind: string; histogram: HistogramSnapshot; freedBytes: number; allocatedBytes: number; recent?: GcSnapshot['recent'] }

export interface GcSnapshot {
  kinds: { kind: string; count: number; totalNs: number; pauseNs: ReturnType<typeof summarize>; histogram: HistogramSnapshot }[]
  count: number
  totalNs: number
  /** GC time / wall time over the last closed interval (main thread). */
  shareRatio: number
  /** GC time / wall time since the collector started (main thread). */
  shareRatioSinceStart: number
  heapUsedBeforeBytes: number
  heapUsedAfterBytes: number
  freedBytes: number
  allocatedBytes: number
  allocatedBetweenGcBytes: ReturnType<typeof summarize>
  /**
   * The latest GCs in arrival order; `seq` numbers them in that order (a worker's GCs arrive at
   * its bridge flush, after main-thread GCs that started later, so startNs is not monotonic).
   */
  recent: { kind: string; startNs: number; durationNs: number; usedBeforeBytes: number; usedAfterBytes: number; threadId: number; seq: number }[]
  heatmap: SeriesSnapshot
}

const RECENT = 256
/** Recent GCs a worker forwards per bridge flush (the rest are in the histograms only). */
const FORWARD_RECENT = 64

/**
 * `events`: the source to subscribe to; by default gcEvents, whose first subscriber starts this
 * thread's native GC ring (runtime/gc-ring.ts). No addon → no ring: the collector stays empty but alive.
 */
export function createGcCollector(opts: { intervalMs?: number; seriesSlots?: number; events?: EventSource<GcEvent> } = {}) {
  const events = opts.events ?? gcEvents
  const intervalMs = opts.intervalMs ?? 1000
  const life = collectorLifecycle('gc', (hold) => {
    startedNs = windowStartNs = Number(process.hrtime.bigint())
    hold(events.subscribe(guard.wrap(onEvent)))
    hold(guardedInterval(guard, intervalMs, tick))
  })
  const guard = life.guard
  const byKind = new Map<string, Histogram>()
  const allocBetween = createBytesHistogram()
  const ring = new SeriesRing({ slots: opts.seriesSlots ?? 60, intervalMs })
  const recent: GcSnapshot['recent'] = []
  let fresh: GcSnapshot['recent'] = []  // since the last drainDelta (worker side)
  let freed = 0, allocated = 0, lastAfter = -1, before = 0, after = 0
  let localNs = 0, windowNs = 0, shareRatio = 0
  let startedNs = 0, windowStartNs = 0

  function hist(kind: string): Histogram {
    let h = byKind.get(kind)
    if (h === undefined) { h = createTimeHistogram(); byKind.set(kind, h) }
    return h
  }

  function onEvent(e: GcEvent): void {
    const kind = gcKindName(e.kind)
    hist(kind).record(e.durationNs)
    ring.current.record(e.durationNs)
    localNs += e.durationNs
    windowNs += e.durationNs
    before = e.usedBeforeBytes; after = e.usedAfterBytes
    if (before > after) freed += before - after
    if (lastAfter >= 0 && before >= lastAfter) { allocated += before - lastAfter; allocBetween.record(before - lastAfter) }
    lastAfter = after
    const rec = { kind, startNs: e.startNs, durationNs: e.durationNs, usedBeforeBytes: before, usedAfterBytes: after, threadId: e.threadId, seq: 0 }
    pushRecent(rec)
    if (fresh.length >= FORWARD_RECENT) fresh.shift()
    fresh.push(rec)
  }

  let arrived = 0
  function pushRecent(rec: GcSnapshot['recent'][number]): void {
    if (recent.length >= RECENT) recent.shift()
    rec.seq = ++arrived
    recent.push(rec)
  }

  function tick(): void {
    const now = Number(process.hrtime.bigint())
    const wall = now - windowStartNs
    shareRatio = wall > 0 ? Math.min(1, windowNs / wall) : 0
    windowNs = 0
    windowStartNs = now
    ring.rotate()
  }

  const collector = {
    name: 'gc' as const,
    guard,
    byKind,
    get running() { return life.running },
    start: life.start,
    stop: life.stop,
    record: guard.wrap(onEvent),
    shareRatio(): number { return shareRatio },
    snapshot(): GcSnapshot {
      const kinds = [...byKind].map(([kind, h]) => ({ kind, count: h.count, totalNs: h.sum, pauseNs: summarize(h), histogram: h.snapshot() }))
      const wall = Number(process.hrtime.bigint()) - startedNs
      return {
        kinds,
        count: kinds.reduce((a, k) => a + k.count, 0),
        totalNs: kinds.reduce((a, k) => a + k.totalNs, 0),
        shareRatio,
        shareRatioSinceStart: startedNs && wall > 0 ? Math.min(1, localNs / wall) : 0,
        heapUsedBeforeBytes: before, heapUsedAfterBytes: after,
        freedBytes: freed, allocatedBytes: allocated,
        allocatedBetweenGcBytes: summarize(allocBetween),
        recent: recent.slice(),
        heatmap: ring.snapshot(),
      }
    },
    drainDelta(): GcDelta[] {
      const out: GcDelta[] = []
      for (const [kind, h] of byKind) {
        if (h.count === 0) continue
        out.push({ kind, histogram: h.snapshot(), freedBytes: 0, allocatedBytes: 0 })
        h.reset()
      }
      if (out.length) { out[0].freedBytes = freed; out[0].allocatedBytes = allocated; out[0].recent = fresh; freed = 0; allocated = 0 }
      fresh = []
      return out
    },
    mergeDelta: guard.wrap((deltas: GcDelta[]) => {
      for (const d of deltas) {
        hist(String(d.kind)).mergeSnapshot(d.histogram)
        freed += d.freedBytes; allocated += d.allocatedBytes
        if (Array.isArray(d.recent)) for (const r of d.recent.slice(-FORWARD_RECENT)) pushRecent(r)
      }
    }),
  }
  return collector
}

export type GcCollector = ReturnType<typeof createGcCollector>
