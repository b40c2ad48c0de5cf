// What the HTTP hook (for the collectors' log) and the request-cost collector (for requests other
// emitters publish) both use to bound the cost of measuring requests: a token bucket that caps
// the measured requests per second.

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
