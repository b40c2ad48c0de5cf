// What the live views read: the collectors' snapshot plus process facts the collectors do not
// hold (heap by space, memory, uptime). The stream carries a slim tick (heatmaps cut to their
// last two intervals, GC list to the events since the previous tick); the page backfills the
// full history from GET /api/snapshot when it (re)opens the stream.
import v8 from 'node:v8'
import { collectors, type CollectorsSnapshot } from '../../collectors'
import type { StreamHub } from './stream-hub'

export interface HeapSpace { name: string; sizeBytes: number; usedBytes: number; availableBytes: number }

export interface LiveSnapshot extends CollectorsSnapshot {
  uptimeSeconds: number
  /** process.hrtime clock at snapshot time (the clock of gc.recent[].startNs). */
  hrtimeNs: number
  memory: NodeJS.MemoryUsage
  heapSpaces: HeapSpace[]
}

export function heapSpaces(): HeapSpace[] {
  return v8.getHeapSpaceStatistics().map((s) => ({
    name: s.space_name, sizeBytes: s.space_size, usedBytes: s.space_used_size, availableBytes: s.space_available_size,
  }))
}

export function liveSnapshot(): LiveSnapshot {
  return { ...collectors.snapshot(), uptimeSeconds: process.uptime(), hrtimeNs: Number(process.hrtime.bigint()), memory: process.memoryUsage(), heapSpaces: heapSpaces() }
}

type WithHeatmap = { heatmap?: { points: unknown[] } }

function cutHeatmap<T extends WithHeatmap | undefined>(s: T): T {
  if (!s || !s.heatmap) return s
  return { ...s, heatmap: { ...s.heatmap, points: s.heatmap.points.slice(-2) } }
}

/** The stream form of a snapshot: bounded size whatever the history length. */
export function slimSnapshot(s: LiveSnapshot, lastGcStartNs: number): LiveSnapshot {
  const out: LiveSnapshot = { ...s, messages: cutHeatmap(s.messages), eventLoop: cutHeatmap(s.eventLoop), http: cutHeatmap(s.http) }
  if (s.gc) out.gc = { ...cutHeatmap(s.gc), recent: s.gc.recent.filter((g) => g.startNs > lastGcStartNs) }
  if (s.alloc) out.alloc = { ...s.alloc, sites: s.alloc.sites.slice(0, 20) }
  return out
}

/** Every intervalMs, while someone listens, one tick event to every stream client. */
export function startLiveFeed(hub: StreamHub, intervalMs = 1000, source: () => LiveSnapshot = liveSnapshot): () => void {
  let lastGc = 0
  const timer = setInterval(() => {
    if (hub.size === 0) return
    try {
      const s = source()
      const slim = slimSnapshot(s, lastGc)
      const recent = s.gc?.recent
      if (recent && recent.length) lastGc = recent[recent.length - 1].startNs
      hub.broadcast('tick', JSON.stringify(slim))
    } catch { /* a failing snapshot skips one tick; the stream stays up */ }
  }, intervalMs)
  timer.unref()
  return () => clearInterval(timer)
}
