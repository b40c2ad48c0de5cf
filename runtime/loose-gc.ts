// GCs that start while no measured request's code runs, split among the requests pro rata of the
// bytes each allocated since the previous GC. V8 starts a scavenge from its own task queue when
// new space is 80 % full (~30 % of the scavenges of an allocating server start there, between
// callbacks); the bytes that filled new space were allocated by whoever ran since the last GC,
// so each such GC's CPU goes to those requests by their share of the bytes allocated since the
// previous GC (the addon's total: used heap at the GC's start minus used heap after the GC
// before). The share of bytes other code allocated (Node's HTTP parsing before a request's
// start, timers, unmeasured requests) stays unattributed; a GC with no measured allocation
// since the previous GC is wholly unattributed. A GC that starts inside a request's code is
// that request's (request-context.ts) and ends the epoch here too.
// Detected lazily: request-context calls settle() at its boundaries and the collector before a
// snapshot; several GCs between two calls are split together. A request still in flight gets
// its share in its slot (costEnd returns it); a finished one gets a HTTP_LOG_GC entry in
// httpServerLog naming its finish entry, which request-cost adds to the route.
import { httpServerLog, HTTP_LOG_GC } from './runtime-events'
import { COST_GC_COUNT, COST_LOOSE_GC_CPU_NS, COST_LOOSE_ALLOC_BYTES } from './cost-cells'

const SLOTS = 8192
const MASK = SLOTS - 1
/** Requests with allocation since the previous GC; beyond it their share stays unattributed. */
const MAX = 4096

const log = httpServerLog
// Allocated by the first begin() (a measured request), not at load (~0.3 MB).
let ids = new Float64Array(0), bytes = ids, seqs = ids
let n = 0
let slotOwner = ids, slotEpoch = ids, slotIdx = new Int32Array(0), slotLoose = ids

function allocate(): void {
  ids = new Float64Array(MAX); bytes = new Float64Array(MAX); seqs = new Float64Array(MAX)
  slotOwner = new Float64Array(SLOTS).fill(-1); slotEpoch = new Float64Array(SLOTS).fill(-1)
  slotIdx = new Int32Array(SLOTS); slotLoose = new Float64Array(SLOTS)
}
let epoch = 0, gcCount = 0, cpu0 = 0, alloc0 = 0
let untracked = 0

function logShare(id: number, seq: number, ns: number): void {
  if (!log.active || log.seq - seq >= log.size) { untracked++; return }
  log.ensure()
  const w = log.seq++, k = w & (log.size - 1)
  log.kind[k] = HTTP_LOG_GC; log.id[k] = id; log.startNs[k] = seq; log.gcNs[k] = ns; log.cpuNs[k] = -1
}

function charge(cpuNs: number, totalBytes: number): void {
  let sum = 0
  for (let i = 0; i < n; i++) sum += bytes[i]
  const perByte = cpuNs / Math.max(totalBytes, sum)
  for (let i = 0; i < n; i++) {
    const id = ids[i], share = bytes[i] * perByte
    if (seqs[i] >= 0) logShare(id, seqs[i], share)
    else if (slotOwner[id & MASK] === id) slotLoose[id & MASK] += share
  }
}

export const looseGc = {
  /** Request `id` is measured from now. */
  begin(id: number): void {
    if (slotOwner.length === 0) allocate()
    const s = id & MASK
    slotOwner[s] = id; slotEpoch[s] = -1; slotLoose[s] = 0
  },
  /** Request `id`'s code allocated `b` bytes (a slice that just ended). */
  allocated(id: number, b: number): void {
    const s = id & MASK
    if (slotEpoch[s] === epoch) { bytes[slotIdx[s]] += b; return }
    if (n === MAX) { untracked++; return }
    slotEpoch[s] = epoch; slotIdx[s] = n
    ids[n] = id; bytes[n] = b; seqs[n] = -1; n++
  },
  /** Request `id` finished with its finish entry at log seq `seq` (-1: none); returns its share so far. */
  end(id: number, seq: number): number {
    const s = id & MASK
    if (slotEpoch[s] === epoch) seqs[slotIdx[s]] = seq < 0 ? -2 : seq  // -2: nowhere to charge
    slotOwner[s] = -1; slotEpoch[s] = -1
    return slotLoose[s]
  },
  /** Charges the GCs that ran since the last call (cells: the addon's costCells). */
  settle(c: Float64Array): void {
    if (c[COST_GC_COUNT] === gcCount) return
    gcCount = c[COST_GC_COUNT]
    const cpu = c[COST_LOOSE_GC_CPU_NS] - cpu0, total = c[COST_LOOSE_ALLOC_BYTES] - alloc0
    cpu0 = c[COST_LOOSE_GC_CPU_NS]; alloc0 = c[COST_LOOSE_ALLOC_BYTES]
    if (cpu > 0 && n > 0) charge(cpu, total)
    n = 0; epoch++
  },
  /** Requests still waiting for the next GC's split. */
  get pending(): number { return n },
  /** Shares not charged (list full, finish entry overwritten, no log reader). */
  get untracked(): number { return untracked },
}
