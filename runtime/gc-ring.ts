// gcEvents, the GC event source, and its producer. The addon's per-isolate GC callbacks
// (gc-hook.cc) fire the gc/heap probes on their own; while gcEvents has a subscriber (or a
// retain()), they also record every GC in a bounded native ring (4096 records), drained on this
// thread's event loop: the epilogue queues one unref'd threadsafe-function call when the ring
// goes non-empty, so each GC arrives once, in order, shortly after it ends. A GC that finds the
// ring full is dropped and counted (gcHookStats().dropped). The ring costs two
// GetHeapStatistics and one loop wake-up per GC, so it runs only while someone listens. The addon
// records from its load, so the first subscriber also gets the GCs since then (sonde's own
// start-up included: register loads the addon before anything else).
import { nativeAddon } from '../probes/addon'
import { createEventSource, type GcEvent } from './runtime-events'
import { createFaultGuard, FAULT_LIMITS } from './fault-guard'
import { threadId as currentThreadId } from './thread'

const FIELDS = 8
const BATCH = 256
const threadId = currentThreadId()

let running = false
let buf: Float64Array | undefined
// Trips once per thread: the native ring is stopped with one SONDE_GC_HOOK_FAULT warning.
const guard = createFaultGuard('gc-ring', FAULT_LIMITS.gcHook)
guard.onTrip(() => nativeAddon().gcRingStop())

function drain(): void {
  const addon = nativeAddon()
  const out = buf ??= new Float64Array(BATCH * FIELDS)
  try {
    for (;;) {
      const n = addon.gcDrain(out)
      if (gcEvents.active) {
        for (let i = 0; i < n; i++) {
          const o = i * FIELDS
          const ev: GcEvent = {
            kind: out[o], flags: out[o + 1], startNs: out[o + 2], durationNs: out[o + 3],
            usedBeforeBytes: out[o + 4], usedAfterBytes: out[o + 5],
            committedBeforeBytes: out[o + 6], committedAfterBytes: out[o + 7], threadId,
          }
          gcEvents.emit(ev)
        }
      }
      if (n < BATCH) break
    }
  } catch (err) {
    // gcEvents.emit already guards listeners; this only catches a native failure.
    guard.fault(err)
  }
}

/** The ring's producer: records GCs of this thread's isolate until the returned stop. */
function startRing(): () => void {
  const addon = nativeAddon()
  addon.gcRingStart(drain)
  running = true
  return () => {
    drain()
    running = false
    addon.gcRingStop()
  }
}

/** Every GC of this thread's isolate (one event per GC callback pair). */
export const gcEvents = createEventSource<GcEvent>('gc', startRing)

/** Ends the addon's recording of GCs since its load when no one subscribed (so nobody pays for it). */
export function endStartupGcRecords(): void {
  if (!running) nativeAddon().gcRingStop()
}

/** Drains pending GC records now (tests and snapshots call it before reading collectors). */
export function flushGcEvents(): void {
  if (running) drain()
}

export function gcHookStats(): { dropped: number; unpairedEpilogues: number; depth: number; faults: number } {
  const [dropped, unpairedEpilogues, depth] = nativeAddon().gcStats()
  return { dropped, unpairedEpilogues, depth, faults: guard.faults }
}
