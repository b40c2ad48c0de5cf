// Allocation sampling: V8's sampling heap profiler (alloc-sampler.cc), polled from an unref'd
// timer on this thread. Each new sample fires sonde:alloc__sample(bytes, function, "url:line")
// natively when that probe is enabled, and becomes an AllocSampleEvent (with a bounded stack of
// "fn url:line" frames, leaf first) while allocSampleEvents.active.
//
// Restart at every poll: V8 keeps every sample (with the flags we use, also those of objects
// already collected) until the profiler stops, and GetAllocationProfile copies all of them and
// their call tree on each poll, so a poll's cost grew with the samples retained (up to the
// native cap of 4096, where alloc-sampler.cc restarts). Stopping and starting the profiler
// right after each poll that saw samples makes the next poll copy only new ones. Nothing is
// lost that matters: samples already taken were just read; sampling is a Poisson process
// (exponential gaps, memoryless), so restarting the "bytes until next sample" count does not
// bias the rate; samples of live objects are dropped only from V8's retained set, which we do
// not report (we report allocation, not retention). The only allocations that can go unseen are
// those between the profile copy and the restart inside one synchronous poll: the poll's own
// event objects. bench/alloc-sampler-poll.ts measures both modes.
//
// Rate cap (maxSamplesPerSec, default 100 per thread): a sample costs a stack walk inside V8
// (2.5-9.5 µs measured, docs/benchmarks.md) and its share of the poll, so
// the cost follows the allocation rate: an express server allocating ~130 MB/s takes ~250
// samples/s at 512 KiB. Like JFR's throttled jdk.ObjectAllocationSample, the sampler doubles
// its interval at the next restart while the observed rate is above the cap and halves it back
// (never below intervalBytes) once the rate falls under a quarter of the cap. Estimates stay
// unbiased: every poll reads samples taken at one interval, which V8 uses to scale them.
//
// allocSampleEvents owns the sampler: it runs while the source has a subscriber (the allocation
// collector) or a retain() (the alloc hook, while a tracer enabled alloc__sample), with the
// options of configureAllocSampler().
import { nativeAddon } from '../probes/addon'
import { every } from './ticker'
import { COST_GC_COUNT, COST_HEAP_USED } from './cost-cells'
import { createEventSource, type AllocSampleEvent } from './runtime-events'
import { createFaultGuard, FAULT_LIMITS } from './fault-guard'

/** Mean bytes between samples unless configured: V8's own default; the one place for this number. */
export const DEFAULT_ALLOC_INTERVAL_BYTES = 512 * 1024

export interface AllocSamplerOptions {
  /** Mean bytes between samples (V8 samples a Poisson process); default DEFAULT_ALLOC_INTERVAL_BYTES. */
  intervalBytes?: number
  /** How often new samples are collected, ms; default 1000 (a tick of the shared timer, runtime/ticker.ts). */
  pollMs?: number
  /** Frames kept per event stack (leaf first); default 16. */
  maxStack?: number
  /** Restart the profiler after each poll that saw samples (default true; false for the bench). */
  restartEachPoll?: boolean
  /** Samples per second above which the interval is raised (doubled per poll); 0 = fixed interval. Default 100. */
  maxSamplesPerSec?: number
}

/** Largest interval the rate cap raises to (at 100 samples/s: 6.4 GB/s of allocation). */
const MAX_ADAPTIVE_INTERVAL = 64 * 1024 * 1024
export const DEFAULT_ALLOC_MAX_SAMPLES_PER_SEC = 100
/** How often the sampler collects new samples unless configured, ms (one tick of runtime/ticker.ts's 1 s group). */
export const DEFAULT_ALLOC_POLL_MS = 1000

/**
 * A poll finds nothing to read unless the thread allocated since the last one, and reading costs
 * V8's profile copy (~100 k instructions in an express app: it maps every script), so a poll is
 * skipped while no GC ran and the used heap grew by less than an eighth of the interval since the
 * last real poll (a sample, if V8 took one, stays in its profile for the next poll): at most
 * QUIET_SKIPS in a row, so a sample waits at most that many extra poll periods.
 */
const QUIET_SKIPS = 9

function nonNegative(name: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new RangeError(`startAllocSampler: ${name} must be a number ≥ 0, got ${String(v)}`)
  return v
}

function positiveInt(name: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new RangeError(`startAllocSampler: ${name} must be an integer in [${min}, ${max}], got ${String(v)}`)
  return v
}

let running: { stop: () => void } | undefined
let pollNs = 0, polls = 0, pollRestarts = 0, currentInterval = 0

function resolveOptions(opts: AllocSamplerOptions) {
  return {
    intervalBytes: positiveInt('intervalBytes', opts.intervalBytes ?? DEFAULT_ALLOC_INTERVAL_BYTES, 1024, 1 << 30),
    pollMs: positiveInt('pollMs', opts.pollMs ?? DEFAULT_ALLOC_POLL_MS, 1, 60_000),
    maxStack: positiveInt('maxStack', opts.maxStack ?? 16, 1, 128),
    restartEachPoll: opts.restartEachPoll ?? true,
    maxRate: nonNegative('maxSamplesPerSec', opts.maxSamplesPerSec ?? DEFAULT_ALLOC_MAX_SAMPLES_PER_SEC),
  }
}

/** Starts sampling allocations of this thread's isolate; returns stop(). One sampler per thread. */
export function startAllocSampler(opts: AllocSamplerOptions = {}): () => void {
  const { intervalBytes, pollMs, maxStack, restartEachPoll, maxRate } = resolveOptions(opts)
  if (running) throw new Error('startAllocSampler: a sampler is already running on this thread; stop it first')
  const addon = nativeAddon()
  const depth = Math.max(32, maxStack)
  if (!addon.allocStart(intervalBytes, depth)) return () => {}
  let interval = currentInterval = intervalBytes
  // Trips at FAULT_LIMITS.allocSampler.maxFaults: the sampler stops with one SONDE_ALLOC_SAMPLER_FAULT warning.
  const guard = createFaultGuard('alloc-sampler', FAULT_LIMITS.allocSampler)
  let seen = addon.allocStats()[0], off = false, sinceNs = process.hrtime.bigint()
  /** The interval for the next restart, from the rate seen since the last one (the cap above). */
  const nextInterval = (n: number, nowNs: bigint): number => {
    if (maxRate <= 0) return interval
    const secs = Number(nowNs - sinceNs) / 1e9
    if (secs <= 0) return interval
    const rate = n / secs
    let next = interval
    while (rate * (interval / next) > maxRate && next < MAX_ADAPTIVE_INTERVAL) next *= 2
    if (next === interval && rate * 4 < maxRate && interval > intervalBytes) next = Math.max(intervalBytes, interval / 2)
    return next
  }
  const cells = addon.costCells
  let lastUsed = -1, lastGcs = -1, skipped = 0
  const heapNow = (): [number, number] => { addon.costReadHeap!(); return [cells![COST_HEAP_USED], cells![COST_GC_COUNT]] }
  const quiet = (): boolean => {
    if (!cells || !addon.costReadHeap || lastUsed < 0 || skipped >= QUIET_SKIPS) return false
    const [used, gcs] = heapNow()
    return gcs === lastGcs && used >= lastUsed && used - lastUsed < interval / 8
  }
  const poll = (force = false): void => {
    if (!force && !off && quiet()) { skipped++; return }
    skipped = 0
    const t0 = process.hrtime.bigint()
    try {
      const active = allocSampleEvents.active
      const samples = off ? [] : addon.allocPoll(active ? maxStack : 0)
      const total = addon.allocStats()[0], n = total - seen
      seen = total
      if (restartEachPoll && !stopped) {
        // Only when the poll handled samples (or the interval must change, or the profiler is off).
        const next = nextInterval(n, t0)
        if (n > 0 || off || next !== interval) {
          interval = currentInterval = next
          off = !addon.allocStart(interval, depth); pollRestarts++; sinceNs = process.hrtime.bigint()
        }
      }
      for (const s of samples) allocSampleEvents.emit(s)
      if (cells && addon.costReadHeap) [lastUsed, lastGcs] = heapNow()
    } catch (err) {
      guard.fault(err)
    }
    pollNs += Number(process.hrtime.bigint() - t0)
    polls++
  }
  const stopTimer = every(pollMs, () => poll())
  let stopped = false
  const stop = (): void => {
    if (stopped) return
    stopped = true
    stopTimer()
    if (guard.on) poll(true)
    addon.allocStop()
    running = undefined
  }
  guard.onTrip(stop)
  running = { stop }
  return stop
}

let producerOptions: AllocSamplerOptions = {}
let producerStop: (() => void) | undefined

/** The allocation samples of this thread; subscribing starts the sampler (configureAllocSampler sets how). */
export const allocSampleEvents = createEventSource<AllocSampleEvent>('alloc-sample', () => {
  producerStop = startAllocSampler(producerOptions)
  return () => { const stop = producerStop; producerStop = undefined; stop?.() }
})

/**
 * Options of the sampler that allocSampleEvents runs (validated now; throws RangeError naming the
 * option). A running sampler restarts with them.
 */
export function configureAllocSampler(opts: AllocSamplerOptions): void {
  if (producerStop) {
    producerStop()
    producerOptions = opts
    producerStop = startAllocSampler(opts)
    return
  }
  resolveOptions(opts)
  producerOptions = opts
}

/** This thread's sampler since load: samples seen, profiler restarts (per poll and at the native cap), polls and their time. */
export function allocSamplerStats(): { samples: number; restarts: number; polls: number; pollNs: number; intervalBytes: number } {
  const [samples, capRestarts] = nativeAddon().allocStats()
  return { samples, restarts: capRestarts + pollRestarts, polls, pollNs, intervalBytes: currentInterval }
}
