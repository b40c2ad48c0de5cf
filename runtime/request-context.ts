// Per-request cost by async context: the CPU time, V8 heap allocation and GC time of a measured
// request are those of its own code. async_hooks `before`/`after` mark the boundaries of every
// callback and promise continuation; at each boundary where a measured request's code starts or
// stops running the addon's cost cells are read (cost-clock.cc: this thread's CPU clock, V8's
// used heap, the running totals of GC CPU and freed bytes). The difference between two reads goes
// to the request whose code ran in between; time a request spends waiting (a timer, I/O, other
// requests' callbacks) is nobody's.
// Whose code runs: every async resource created while a measured request's code runs (a promise,
// timer, tick, socket write) is stamped with its id at `init`, and `before` reads the stamp of the
// resource being entered (executionAsyncResource()). costBegin also stamps the resource it runs in
// (the connection's HTTP parser), so the request's body callbacks are its own. Not
// AsyncLocalStorage: from Node 24 it rides V8's continuation data (AsyncContextFrame), which the
// callback switches after `before` has run (when it does is Node's internal detail), so a store
// read in `before` may still be the previous callback's. The stamp is read from the resource
// being entered, which every line defines the same way. (One run on 24 with the truth test's
// workload: CPU figures agreed within 3 % either way, so the gap seen before was not this.)
// What a request gets, per measured request:
// - cpuNs: thread CPU time (CLOCK_THREAD_CPUTIME_ID) inside its callbacks, from its start to
//   its finish. Not in it: Node's work outside JS callbacks (HTTP parsing of the request before
//   its start event, socket writes completed after its finish), which stays unattributed.
// - gcNs: main-thread CPU time of GC pauses that started while its code ran (an allocation-
//   triggered GC is caused by the code that allocated). GC CPU is part of cpuNs, so GC share of
//   a request's CPU is at most 100 %.
// - looseGcNs: its share of the GCs that started while no measured request's code ran (V8 runs
//   the scavenge it schedules when new space is 80 % full as a task between callbacks: ~30 % of
//   the scavenges of an allocating server): loose-gc.ts splits each such GC among the requests
//   pro rata of the bytes they allocated since the previous GC; the share of bytes other code
//   allocated stays unattributed. Reported per route, not in the request's cpuNs.
// - allocBytes: growth of V8's used heap inside its callbacks plus the bytes GCs inside them
//   freed. Error: V8's used-heap figure moves by whole linear allocation buffers in new space
//   (tens of kB) and concurrent sweeping after a full GC lowers it between callbacks; so small
//   requests read ±tens of kB, a per-request figure is clamped at 0, and only megabyte-sized
//   allocations are exact to a few %.
// The hooks are enabled only while a measured request is in flight (the collector measures at
// most its budget of requests per second), so an idle or unmeasured server pays nothing here.
// Without the addon the clock is process.threadCpuUsage() (getrusage: coarse, in scheduler
// ticks) and the heap v8.getHeapStatistics(); GC time is then 0.
import { createHook, executionAsyncResource, type AsyncHook } from 'node:async_hooks'
import { nativeAddon } from '../probes/addon'
import { COST_CPU_NS, COST_HEAP_USED, COST_GC_CPU_NS, COST_GC_FREED, COST_WANT_FREED, COST_IN_SLICE, COST_CELLS, COST_WALL_NS } from './cost-cells'
import { looseGc } from './loose-gc'

export { COST_GC_CPU_NS } from './cost-cells'

const SLOTS = 8192
const MASK = SLOTS - 1
const MAX_DEPTH = 64
const kRequest = Symbol('sonde.cost.requestId')
type Stamped = { [kRequest]?: number }

const addon = nativeAddon()
/** The addon's cells, or a JS stand-in (fallback clock) of the same layout. */
export const costCells: Float64Array = addon.costCells ?? new Float64Array(COST_CELLS)
const readHeap: () => void = addon.costReadHeap ?? (() => {
  const u = process.threadCpuUsage()
  costCells[COST_CPU_NS] = (u.user + u.system) * 1000
  // node:v8 only on this fallback path: loading it costs ~2 MB of RSS at start-up.
  costCells[COST_HEAP_USED] = (require('node:v8') as typeof import('node:v8')).getHeapStatistics().used_heap_size
})
const readCpu: () => void = addon.costRead ?? readHeap

const wallRead = addon.costWallRead
/**
 * process.hrtime's clock (CLOCK_MONOTONIC), ns, as Number(process.hrtime.bigint()) reads it: one
 * N-API call (~250 instructions) where the BigInt route takes ~1 300; that without the addon.
 */
export const monotonicNs: () => number = wallRead
  ? () => { wallRead(); return costCells[COST_WALL_NS] }
  : () => Number(process.hrtime.bigint())

/** This thread's CPU time, ns (the clock per-request CPU is read with). */
export function threadCpuNs(): number { readCpu(); return costCells[COST_CPU_NS] }

// Allocated at the first measured request (costBegin), not at load (~0.25 MB).
let slotId = new Float64Array(0)
let slotCpu = slotId, slotAlloc = slotId, slotGc = slotId
const stack = new Float64Array(MAX_DEPTH)
let depth = 0
let cur = -1  // id of the measured request whose code runs now, -1 none
let inflight = 0
// Reads at the opening of the current slice.
let cpu0 = 0, heap0 = 0, gc0 = 0, freed0 = 0

function measured(id: number | undefined): number {
  return id !== undefined && slotId[id & MASK] === id ? id : -1
}

/** The code running from now on is request `id`'s (-1: nobody's): charges the slice that ends here. */
function switchTo(id: number): void {
  if (cur < 0 && id < 0) return
  readHeap()
  const c = costCells
  looseGc.settle(c)  // GCs since the last boundary that started outside measured code
  if (cur >= 0) {
    const s = cur & MASK
    if (slotId[s] === cur) {
      const alloc = c[COST_HEAP_USED] - heap0 + c[COST_GC_FREED] - freed0
      slotCpu[s] += c[COST_CPU_NS] - cpu0
      slotAlloc[s] += alloc
      slotGc[s] += c[COST_GC_CPU_NS] - gc0
      if (alloc > 0) looseGc.allocated(cur, alloc)
    }
  }
  cpu0 = c[COST_CPU_NS]; heap0 = c[COST_HEAP_USED]; gc0 = c[COST_GC_CPU_NS]; freed0 = c[COST_GC_FREED]
  cur = id
  c[COST_IN_SLICE] = id >= 0 ? 1 : 0
}

// Made at the first measured request, not at load: an app that serves no HTTP never creates it.
let hook: AsyncHook | undefined
const makeHook = (): AsyncHook => createHook({
  init(_asyncId, _type, _trigger, resource) {
    // Only while a measured request runs: other code's resources get no property written.
    if (cur >= 0) (resource as Stamped)[kRequest] = cur
  },
  before() {
    if (depth < MAX_DEPTH) stack[depth] = cur
    depth++
    switchTo(measured((executionAsyncResource() as Stamped)[kRequest]))
  },
  after() {
    if (depth === 0) { switchTo(-1); return }  // a callback that began before the hooks were on
    const prev = --depth < MAX_DEPTH ? stack[depth] : -1
    switchTo(measured(prev))
  },
})

/** Request `id` starts, inside its first callback: measure it until costEnd(id). */
export function costBegin(id: number): void {
  if (slotId.length === 0) {
    slotId = new Float64Array(SLOTS).fill(-1)
    slotCpu = new Float64Array(SLOTS); slotAlloc = new Float64Array(SLOTS); slotGc = new Float64Array(SLOTS)
  }
  const s = id & MASK
  if (slotId[s] >= 0 && slotId[s] !== id) inflight--  // a measured request that never finished loses its slot
  slotId[s] = id
  slotCpu[s] = 0; slotAlloc[s] = 0; slotGc[s] = 0
  looseGc.begin(id)
  if (inflight++ === 0) {
    depth = 0
    costCells[COST_WANT_FREED] = 1
    ;(hook ??= makeHook()).enable()
  }
  try { (executionAsyncResource() as Stamped)[kRequest] = id } catch { /* a frozen resource: its later callbacks are not the request's */ }
  switchTo(id)
}

/** The totals of a finished measured request (valid after costEnd returned true). */
export const costOut = { cpuNs: 0, allocBytes: 0, gcNs: 0, looseGcNs: 0 }

/**
 * Request `id` finished: its totals go to costOut; false when it was not measured (or lost its
 * slot, or was already ended). `logSeq`: its finish entry in httpServerLog, where its share of
 * later GCs that start between callbacks is logged (-1: not logged, that share stays unattributed).
 */
export function costEnd(id: number, logSeq = -1): boolean {
  const s = id & MASK
  if (s >= slotId.length || slotId[s] !== id) return false
  if (cur === id) switchTo(-1)
  slotId[s] = -1
  costOut.cpuNs = slotCpu[s]; costOut.allocBytes = Math.max(0, slotAlloc[s]); costOut.gcNs = slotGc[s]
  costOut.looseGcNs = looseGc.end(id, logSeq)
  if (--inflight === 0) {
    hook?.disable()
    cur = -1; depth = 0
    costCells[COST_IN_SLICE] = 0
    // The heap reads around GCs stay on while finished requests wait for the next GC's split.
    if (looseGc.pending === 0) costCells[COST_WANT_FREED] = 0
  }
  return true
}

/** Measured requests in flight (the hooks are on while > 0). */
export function costInFlight(): number { return inflight }

/** Splits the GCs that ran since the last boundary (the collector calls it before a snapshot). */
export function costSettle(): void {
  looseGc.settle(costCells)
  if (inflight === 0 && looseGc.pending === 0) costCells[COST_WANT_FREED] = 0
}
