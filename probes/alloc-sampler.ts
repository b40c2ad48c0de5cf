// Allocation sampling: V8's sampling heap profiler (alloc-sampler.cc), polled from an unref'd
// timer on this thread. Each new sample fires sonde:alloc__sample(bytes, function, "url:line")
// natively when that probe is enabled, and becomes an AllocSampleEvent (with a bounded stack of
// "fn url:line" frames, leaf first) while allocSampleEvents.active. Memory stays bounded: the
// native side restarts the profiler once it holds 4096 samples (see alloc-sampler.cc).
import { nativeAddon } from './addon'
import { allocSampleEvents } from './runtime-events'

export interface AllocSamplerOptions {
  /** Mean bytes between samples (V8 samples a Poisson process); default 32768. */
  intervalBytes?: number
  /** How often new samples are collected, ms; default 250. */
  pollMs?: number
  /** Frames kept per event stack (leaf first); default 16. */
  maxStack?: number
}

const MAX_FAULTS = 10

function positiveInt(name: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new RangeError(`startAllocSampler: ${name} must be an integer in [${min}, ${max}], got ${String(v)}`)
  return v
}

let running: { stop: () => void } | undefined

/** Starts sampling allocations of this thread's isolate; returns stop(). One sampler per thread. */
export function startAllocSampler(opts: AllocSamplerOptions = {}): () => void {
  const intervalBytes = positiveInt('intervalBytes', opts.intervalBytes ?? 32768, 1024, 1 << 30)
  const pollMs = positiveInt('pollMs', opts.pollMs ?? 250, 1, 60_000)
  const maxStack = positiveInt('maxStack', opts.maxStack ?? 16, 1, 128)
  if (running) throw new Error('startAllocSampler: a sampler is already running on this thread; stop it first')
  const addon = nativeAddon()
  if (!addon.allocStart(intervalBytes, Math.max(32, maxStack))) return () => {}
  let faults = 0
  const poll = (): void => {
    try {
      const samples = addon.allocPoll(allocSampleEvents.active ? maxStack : 0)
      for (const s of samples) allocSampleEvents.emit(s)
    } catch (err) {
      if (++faults === MAX_FAULTS) {
        stop()
        process.emitWarning(`sonde: allocation sampler failed ${faults} times and was stopped: ${(err as Error)?.message ?? err}`, { code: 'SONDE_ALLOC_SAMPLER_FAULT' })
      }
    }
  }
  const timer = setInterval(poll, pollMs)
  timer.unref()
  let stopped = false
  const stop = (): void => {
    if (stopped) return
    stopped = true
    clearInterval(timer)
    if (faults < MAX_FAULTS) poll()
    addon.allocStop()
    running = undefined
  }
  running = { stop }
  return stop
}

/** [samples seen, profiler restarts] of this thread's sampler. */
export function allocSamplerStats(): { samples: number; restarts: number } {
  const [samples, restarts] = nativeAddon().allocStats()
  return { samples, restarts }
}
