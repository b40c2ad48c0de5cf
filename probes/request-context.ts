// Per-request cost by async context: the CPU time, V8 heap allocation and GC time of a measured
// request are those of its own code. The request's id rides an AsyncLocalStorage store from its
// start (entered in the HTTP hook's request.start subscriber, so the handler and everything it
// schedules carry it); async_hooks `before`/`after` mark the boundaries of every callback and
// promise continuation, and at each boundary where a measured request's code starts or stops
// running the addon's cost cells are read (cost-clock.cc: this thread's CPU clock, V8's used
// heap, the running totals of GC CPU and freed bytes). The difference between two reads goes to
// the request whose code ran in between; time a request spends waiting (a timer, I/O, other
// requests' callbacks) is nobody's. What a request gets, per measured request:
// - cpuNs: thread CPU time (CLOCK_THREAD_CPUTIME_ID) inside its callbacks, from its start to
//   its finish. Not in it: Node's work outside JS callbacks (HTTP parsing of the request before
//   its start event, socket writes completed after its finish), which stays unattributed.
// - gcNs: main-thread CPU time of GC pauses that started while its code ran (an allocation-
//   triggered GC is caused by the code that allocated); a GC during other code is unattributed.
//   V8 also runs GCs from its own task queue between callbacks (the scavenge it schedules when
//   new space is 80 % full: ~30 % of the scavenges under an allocating express/fastify load);
//   those start while no request's code runs and are unattributed. GC CPU is part of cpuNs, so
//   GC share of a request's CPU is at most 100 %.
// - allocBytes: growth of V8's used heap inside its callbacks plus the bytes GCs inside them
//   freed. Error: V8's used-heap figure moves by whole linear allocation buffers in new space
//   (tens of kB) and concurrent sweeping after a full GC lowers it between callbacks; so small
//   requests read ±tens of kB, a per-request figure is clamped at 0, and only megabyte-sized
//   allocations are exact to a few %.
// The hooks are enabled only while a measured request is in flight (the collector measures at
// most its budget of requests per second), so an idle or unmeasured server pays nothing here.
// Without the addon the clock is process.threadCpuUsage() (getrusage: coarse, in scheduler
// ticks) and the heap v8.getHeapStatistics(); GC time is then 0.
import { AsyncLocalStorage, createHook } from 'node:async_hooks'
import v8 from 'node:v8'
import { nativeAddon } from './addon'

export const COST_CPU_NS = 0, COST_HEAP_USED = 1, COST_GC_CPU_NS = 2, COST_GC_WALL_NS = 3, COST_GC_FREED = 4, COST_GC_COUNT = 5, COST_WANT_FREED = 6

const SLOTS = 8192
const MASK = SLOTS - 1
const MAX_DEPTH = 64

const addon = nativeAddon()
/** The addon's cells, or a JS stand-in (fallback clock) of the same layout. */
export const costCells: Float64Array = addon.costCells ?? new Float64Array(8)
const readHeap: () => void = addon.costReadHeap ?? (() => {
  const u = process.threadCpuUsage()
  costCells[COST_CPU_NS] = (u.user + u.system) * 1000
  costCells[COST_HEAP_USED] = v8.getHeapStatistics().used_heap_size
})
const readCpu: () => void = addon.costRead ?? readHeap

/** This thread's CPU time, ns (the clock per-request CPU is read with). */
export function threadCpuNs(): number { readCpu(); return costCells[COST_CPU_NS] }

const slotId = new Float64Array(SLOTS).fill(-1)
const slotCpu = new Float64Array(SLOTS), slotAlloc = new Float64Array(SLOTS), slotGc = new Float64Array(SLOTS)
const als = new AsyncLocalStorage<number>()
const stack = new Float64Array(MAX_DEPTH)
let depth = 0
let cur = -1  // id of the measured request whose code runs now, -1 none
let inflight = 0
// Reads at the opening of the current slice.
let cpu0 = 0, heap0 = 0, gc0 = 0, freed0 = 0

/** The code running from now on is request `id`'s (-1: nobody's): charges the slice that ends here. */
function switchTo(id: number): void {
  if (cur < 0 && id < 0) return
  readHeap()
  const c = costCells
  if (cur >= 0) {
    const s = cur & MASK
    if (slotId[s] === cur) {
      slotCpu[s] += c[COST_CPU_NS] - cpu0
      slotAlloc[s] += c[COST_HEAP_USED] - heap0 + c[COST_GC_FREED] - freed0
      slotGc[s] += c[COST_GC_CPU_NS] - gc0
    }
  }
  cpu0 = c[COST_CPU_NS]; heap0 = c[COST_HEAP_USED]; gc0 = c[COST_GC_CPU_NS]; freed0 = c[COST_GC_FREED]
  cur = id
}

function storeId(): number {
  const id = als.getStore()
  return id !== undefined && slotId[id & MASK] === id ? id : -1
}

const hook = createHook({
  before() {
    if (depth < MAX_DEPTH) stack[depth] = cur
    depth++
    switchTo(storeId())
  },
  after() {
    if (depth === 0) { switchTo(-1); return }  // a callback that began before the hooks were on
    const prev = --depth < MAX_DEPTH ? stack[depth] : -1
    switchTo(prev >= 0 && slotId[prev & MASK] === prev ? prev : -1)
  },
})

/** Request `id` starts, inside its first callback: measure it until costEnd(id). */
export function costBegin(id: number): void {
  const s = id & MASK
  if (slotId[s] >= 0 && slotId[s] !== id) inflight--  // a measured request that never finished (client gone) loses its slot
  slotId[s] = id
  slotCpu[s] = 0; slotAlloc[s] = 0; slotGc[s] = 0
  if (inflight++ === 0) {
    depth = 0
    costCells[COST_WANT_FREED] = 1
    hook.enable()
  }
  als.enterWith(id)
  switchTo(id)
}

/** The totals of a finished measured request (valid after costEnd returned true). */
export const costOut = { cpuNs: 0, allocBytes: 0, gcNs: 0 }

/** Request `id` finished: its totals go to costOut; false when it was not measured (or lost its slot). */
export function costEnd(id: number): boolean {
  const s = id & MASK
  if (slotId[s] !== id) return false
  if (cur === id) switchTo(-1)
  slotId[s] = -1
  costOut.cpuNs = slotCpu[s]; costOut.allocBytes = Math.max(0, slotAlloc[s]); costOut.gcNs = slotGc[s]
  if (--inflight === 0) {
    hook.disable()
    als.disable()
    costCells[COST_WANT_FREED] = 0
    cur = -1; depth = 0
  }
  return true
}
