// What the HTTP hook (for the collectors' log) and the request-cost collector (for requests other
// emitters publish) both need to measure a request's cost cheaply: a token bucket that caps the
// measured requests per second, and the event loop's busy time.
import { performance } from 'node:perf_hooks'

/** Allows `rate` takes per second (bursts up to `rate`); a new rate refills it. */
export class TokenBucket {
  private tokens = 0
  private atNs = 0
  private rate = -1

  /** True when a request at `nowNs` (process.hrtime ns) may be measured at `rate` per second. */
  take(nowNs: number, rate: number): boolean {
    if (rate !== this.rate) { this.rate = rate; this.tokens = rate; this.atNs = nowNs }
    if (this.tokens < 1) {
      this.tokens = Math.min(rate, this.tokens + ((nowNs - this.atNs) * rate) / 1e9)
      this.atNs = nowNs
      if (this.tokens < 1) return false
    }
    this.tokens--
    return true
  }
}

let loopStartMs = 0
/**
 * Event-loop busy time, µs: what performance.eventLoopUtilization().active computes (wall time
 * since the loop started minus the loop's idle time), without its result object.
 */
export function loopBusyUs(): number {
  if (loopStartMs <= 0) { loopStartMs = performance.nodeTiming.loopStart; if (loopStartMs <= 0) return 0 }
  return (performance.now() - loopStartMs - performance.nodeTiming.idleTime) * 1000
}
