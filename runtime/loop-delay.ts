// Event-loop delay samples for the event-loop collector: the addon's unref'd libuv timer
// (native/loop-delay.cc) runs every `resolutionMs` and writes how late it ran beyond its period
// into a ring this module drains when asked (the collector's interval tick, a scrape): nothing
// in JS wakes up per sample. Without the addon (or a build without the timer) startLoopDelay
// returns undefined and the collector uses perf_hooks.monitorEventLoopDelay instead.
import { nativeAddon } from '../probes/addon'

const RING = 1024

export interface LoopDelaySampler {
  /** Calls `record(lateNs)` for each sample since the last drain, oldest first; returns how many were lost to the ring's bound. */
  drain(record: (lateNs: number) => void): number
  stop(): void
}

/**
 * Event-loop utilization between two calls (busy share of the wall time, 0..1), from libuv's idle
 * time of this loop as the addon reads it; undefined without the addon (then perf_hooks' does).
 */
export function createLoopUtilization(): (() => number) | undefined {
  const addon = nativeAddon()
  if (typeof addon.loopIdleNs !== 'function') return undefined
  let idle0 = addon.loopIdleNs(), wall0 = Number(process.hrtime.bigint())
  return () => {
    const idle = addon.loopIdleNs!(), wall = Number(process.hrtime.bigint())
    const dWall = wall - wall0, dIdle = idle - idle0
    idle0 = idle; wall0 = wall
    return dWall > 0 ? Math.min(1, Math.max(0, 1 - dIdle / dWall)) : 0
  }
}

export function startLoopDelay(resolutionMs: number): LoopDelaySampler | undefined {
  const addon = nativeAddon()
  const cells = addon.loopDelayStart?.(resolutionMs)
  if (!cells || cells.length !== 1 + RING) return undefined
  let seen = cells[0]
  return {
    drain(record) {
      const written = cells[0]
      let from = seen, lost = 0
      // More than the ring holds since the last drain: only the newest RING are still there.
      if (written - from > RING) { lost = written - from - RING; from = written - RING }
      for (let i = from; i < written; i++) record(cells[1 + (i % RING)])
      seen = written
      return lost
    },
    stop() { addon.loopDelayStop?.() },
  }
}
