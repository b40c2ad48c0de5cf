// GC events for the in-process collectors. The addon's per-isolate GC callbacks (gc-hook.cc)
// fire the gc/heap probes on their own; this hook additionally asks them to record every GC
// in a bounded native ring (4096 records), which is drained on this thread's event loop: the
// epilogue queues one unref'd threadsafe-function call when the ring goes non-empty, so each
// GC arrives once, in order, shortly after it ends. A GC that finds the ring full is dropped
// and counted (gcHookStats().dropped). Events are emitted only while gcEvents.active. The
// addon records from its load, so the first installGcHook also delivers the GCs since then.
import { threadId } from 'node:worker_threads'
import { nativeAddon } from '../probes/addon'
import { gcEvents, type GcEvent } from './runtime-events'
import { createFaultGuard, FAULT_LIMITS } from './fault-guard'

const FIELDS = 8
const BATCH = 256

let installed = 0
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

/** Starts recording GCs of this thread's isolate into gcEvents; returns the uninstall function. */
export function installGcHook(): () => void {
  const addon = nativeAddon()
  if (installed++ === 0) addon.gcRingStart(drain)
  let done = false
  return () => {
    if (done) return
    done = true
    if (--installed === 0) {
      drain()
      addon.gcRingStop()
    }
  }
}

/** Ends the addon's recording of GCs since its load when no one has started the ring (so nobody pays for it). */
export function endStartupGcRecords(): void {
  if (installed === 0) nativeAddon().gcRingStop()
}

/** Drains pending GC records now (tests and snapshots call it before reading collectors). */
export function flushGcEvents(): void {
  if (installed > 0) drain()
}

export function gcHookStats(): { dropped: number; unpairedEpilogues: number; depth: number; faults: number } {
  const [dropped, unpairedEpilogues, depth] = nativeAddon().gcStats()
  return { dropped, unpairedEpilogues, depth, faults: guard.faults }
}
