// The shapes that cross the wire between the dashboard server and its page: the live snapshot
// (GET /api/snapshot and each stream tick), the bpftrace panel's state, the flame tree. Both
// sides import them from here; nothing here runs.
import type { CollectorsSnapshot } from '../../collectors/snapshot'

export interface HeapSpace { name: string; sizeBytes: number; usedBytes: number; availableBytes: number }

/** process.memoryUsage() as sent. */
export interface MemoryUsage { rss: number; heapTotal: number; heapUsed: number; external: number; arrayBuffers: number }

export interface LiveSnapshot extends CollectorsSnapshot {
  uptimeSeconds: number
  /** process.hrtime clock at snapshot time (the clock of gc.recent[].startNs). */
  hrtimeNs: number
  memory: MemoryUsage
  heapSpaces: HeapSpace[]
}

export interface PanelHist { map: string; key: string; unit: 'ns' | 'bytes' | null; scale: number; buckets: { min?: number; max?: number; count: number }[]; count: number; p50: number; p99: number; max: number }
export interface PanelMap { map: string; rows: [string, number][]; keys: number }
export interface PanelState {
  name: string; pid: number; state: 'running' | 'done' | 'failed'; startedMs: number; durationS: number
  elapsedS: number; attachedProbes: number; prints: number; histograms: PanelHist[]; maps: PanelMap[]; notes: string[]; error?: string
}

/** One cell of the flame tree: name, file:line, kind, self weight, children. */
export interface FlameCell { n: string; f?: string; k?: string; v: number; c?: FlameCell[] }
