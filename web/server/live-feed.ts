// What the live views read: the collectors' snapshot plus process facts the collectors do not
// hold (heap by space, memory, uptime). The stream carries a slim tick (heatmaps cut to the
// intervals that may have changed since the previous tick, at least the last two; GC list to
// the events that arrived since the previous tick); the stream's first event backfills the
// full history.
import v8 from 'node:v8'
import { collectors } from '../../collectors'
import type { StreamHub } from './stream-hub'
import type { HeapSpace, LiveSnapshot } from '../shared/wire'

export type { HeapSpace, LiveSnapshot } from '../shared/wire'

export function heapSpaces(): HeapSpace[] {
  return v8.getHeapSpaceStatistics().map((s) => ({
    name: s.space_name, sizeBytes: s.space_size, usedBytes: s.space_used_size, availableBytes: s.space_available_size,
  }))
}

export function liveSnapshot(): LiveSnapshot {
  return { ...collectors.snapshot(), uptimeSeconds: process.uptime(), hrtimeNs: Number(process.hrtime.bigint()), memory: process.memoryUsage(), heapSpaces: heapSpaces() }
}

type WithHeatmap = { heatmap?: { points: { startMs: number }[] } }
/** Per heatmap, the start of the newest interval the previous tick sent (that interval was still filling). */
export type SentUpTo = Partial<Record<'messages' | 'eventLoop' | 'http' | 'gc', number>>

// The last two intervals, and every earlier one from the interval that was newest at the
// previous tick. The ring rotates on its own timer and period (SONDE_COLLECT interval-ms, the
// dashboard's stream interval are set apart): with a 2 s stream over 1 s intervals every tick
// falls two rotations after the previous one, and "the last two" left the interval that was
// filling at the previous tick with its partial count on the page (a 3:1 ratio skipped whole
// intervals). test/web/live-feed.test.ts shows both with a real ring.
function cutHeatmap<T extends WithHeatmap | undefined>(s: T, sentUpTo: number | undefined): T {
  if (!s || !s.heatmap) return s
  const points = s.heatmap.points
  let from = Math.max(0, points.length - 2)
  if (sentUpTo !== undefined) while (from > 0 && points[from - 1].startMs >= sentUpTo) from--
  return { ...s, heatmap: { ...s.heatmap, points: points.slice(from) } }
}

/**
 * The stream form of a snapshot: bounded size whatever the history length. `sentUpTo` (the
 * previous tick's newest interval per heatmap) is advanced to this tick's.
 */
export function slimSnapshot(s: LiveSnapshot, lastGcSeq: number, sentUpTo: SentUpTo = {}): LiveSnapshot {
  const cut = <K extends keyof SentUpTo>(k: K): LiveSnapshot[K] => {
    const x = s[k] as WithHeatmap | undefined
    const points = x?.heatmap?.points
    const out = cutHeatmap(x, sentUpTo[k])
    if (points && points.length) sentUpTo[k] = points[points.length - 1].startMs
    return out as LiveSnapshot[K]
  }
  const out: LiveSnapshot = { ...s, messages: cut('messages'), eventLoop: cut('eventLoop'), http: cut('http') }
  if (s.gc) out.gc = { ...cut('gc')!, recent: s.gc.recent.filter((g) => g.seq > lastGcSeq) }
  if (s.alloc) out.alloc = { ...s.alloc, sites: s.alloc.sites.slice(0, 20) }
  return out
}

export interface LiveFeed {
  /**
   * The whole snapshot for a client that joins now; the next tick then sends every interval from
   * the one filling now (its final count), however many rotations fall before that tick.
   */
  backfill(): LiveSnapshot
  stop(): void
}

/** Every intervalMs, while someone listens, one tick event to every stream client. */
export function startLiveFeed(hub: StreamHub, intervalMs = 1000, source: () => LiveSnapshot = liveSnapshot): LiveFeed {
  let lastGc = 0
  const sentUpTo: SentUpTo = {}
  const timer = setInterval(() => {
    if (hub.size === 0) return
    try {
      const s = source()
      const slim = slimSnapshot(s, lastGc, sentUpTo)
      const recent = s.gc?.recent
      if (recent && recent.length) lastGc = recent[recent.length - 1].seq
      hub.broadcast('tick', JSON.stringify(slim))
    } catch { /* a failing snapshot skips one tick; the stream stays up */ }
  }, intervalMs)
  timer.unref()
  return {
    backfill(): LiveSnapshot {
      const s = source()
      for (const k of ['messages', 'eventLoop', 'http', 'gc'] as const) {
        const points = (s[k] as WithHeatmap | undefined)?.heatmap?.points
        if (!points || !points.length) continue
        const newest = points[points.length - 1].startMs
        sentUpTo[k] = Math.min(sentUpTo[k] ?? newest, newest)
      }
      return s
    },
    stop: () => clearInterval(timer),
  }
}
