// collectors.snapshot(): one plain-JSON object of everything the running collectors know.
// Readers (/api/snapshot, the dashboard) only read it. Sections of collectors that are off
// are absent. Units are in the field names (Ns, Bytes); alloc.sites is sorted by bytes.
import type { CollectorSet } from './collector-set'
import type { MessageSnapshot } from './message-latency'
import type { GcSnapshot } from './gc'
import type { EventLoopSnapshot } from './event-loop'
import type { HttpSnapshot } from './http-requests'
import type { RequestCostSnapshot } from './request-cost'
import type { AllocSnapshot } from './allocation'

export interface CollectorsSnapshot {
  version: 1
  pid: number
  timeMs: number
  collectors: string[]
  faults: Record<string, number>
  messages?: MessageSnapshot
  gc?: GcSnapshot
  eventLoop?: EventLoopSnapshot
  http?: HttpSnapshot
  requestCost?: RequestCostSnapshot
  alloc?: AllocSnapshot
}

export function toSnapshot(set: CollectorSet | undefined): CollectorsSnapshot {
  const out: CollectorsSnapshot = { version: 1, pid: process.pid, timeMs: Date.now(), collectors: [], faults: {} }
  if (!set) return out
  const c = set.collectors
  for (const [key, col] of Object.entries(c)) {
    if (!col) continue
    out.faults[col.name] = col.guard.faults
    if (col.running) out.collectors.push(col.name)
    void key
  }
  c.eventloop?.flush()
  c.requestCost?.flush(false)
  if (c.messages) out.messages = c.messages.snapshot()
  if (c.gc) out.gc = c.gc.snapshot()
  if (c.eventloop) out.eventLoop = c.eventloop.snapshot()
  if (c.http) out.http = c.http.snapshot()
  if (c.requestCost) out.requestCost = c.requestCost.snapshot()
  if (c.alloc) out.alloc = c.alloc.snapshot()
  return out
}
