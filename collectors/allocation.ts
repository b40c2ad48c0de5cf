// Allocation collector: V8's sampling heap profiler (started by runtime/alloc-sampler.ts at
// `intervalBytes`, ≥ 32 KiB by default so it stays cheap; samples of objects already collected
// included) emits allocSampleEvents; here they are summed per site (function, url, line) into
// top sites by bytes and bytes/s, each with one representative stack, plus the allocation size
// histogram: each sample's object size, weighted by the number of objects it stands for
// (bytes / size, V8's scaled count), i.e. an estimate of how many objects of each size were
// allocated. Samples from emitters without a size count as one object of `bytes`. Bounded: at most MAX_SITES sites; when full, new sites fold into
// one "(other)" site (counted). Samples whose allocating function is sonde's own (its
// collectors, runtime, dashboard…: the observer, not the app) are summed apart as `ownBytes`
// and never become sites; the demo under examples/ is an app like any other.
import path from 'node:path'
import type { AllocSampleEvent, EventSource } from '../runtime/runtime-events'
import { allocSampleEvents, allocSamplerStats, configureAllocSampler, DEFAULT_ALLOC_INTERVAL_BYTES } from '../runtime/alloc-sampler'
import { HistogramSnapshot, createBytesHistogram, summarize } from './histogram'
import { collectorLifecycle } from './collector'

export interface AllocSite { function: string; url: string; line: number; bytes: number; samples: number; bytesPerSec: number; stack: string[] }

export interface AllocSnapshot {
  /** Configured sampling interval (the floor of the rate cap), bytes. */
  intervalBytes: number
  /** Interval in effect now (raised by the sampler's rate cap under heavy allocation), bytes. */
  currentIntervalBytes: number
  totalBytes: number
  sites: AllocSite[]
  droppedSites: number
  /** Allocated object sizes, bytes, by estimated object count. */
  objectSizeBytes: ReturnType<typeof summarize>
  histogram: HistogramSnapshot
  /** Sampler events received. */
  samples: number
  /** Sampled bytes allocated by sonde's own code (left out of `sites`). */
  ownBytes: number
}

/** The directory holding sonde's rooms (dist/ when built, the checkout under tsx); this file is in its collectors/, or in dist/startup.js, the start-up bundle. */
const OWN_ROOT = (path.basename(__dirname) === 'collectors' ? path.resolve(__dirname, '..') : __dirname) + path.sep
const OWN_ROOMS = /^(collectors|runtime|probes|web|viz|tracer|bpftrace|inspect|cli)[\\/]|^(register|index|startup)\.[cm]?[jt]s$/

/** Is `url` (a path or file:// URL) a file of sonde itself? */
export function isSondeFile(url: string): boolean {
  const p = url.startsWith('file://') ? decodeURIComponent(url.slice(7)) : url
  return p.startsWith(OWN_ROOT) && OWN_ROOMS.test(p.slice(OWN_ROOT.length))
}

const MAX_SITES = 2000
const MAX_STACK = 32

/**
 * `events`: the source to subscribe to; by default allocSampleEvents, whose first subscriber
 * starts this thread's sampler (runtime/alloc-sampler.ts) with this collector's interval and rate cap.
 */
export function createAllocationCollector(opts: { intervalBytes?: number; maxSamplesPerSec?: number; topSites?: number; events?: EventSource<AllocSampleEvent> } = {}) {
  const events = opts.events ?? allocSampleEvents
  const intervalBytes = opts.intervalBytes ?? DEFAULT_ALLOC_INTERVAL_BYTES
  const topSites = opts.topSites ?? 20
  const life = collectorLifecycle('alloc', (hold) => {
    startedMs = Date.now()
    if (events === allocSampleEvents) {
      try { configureAllocSampler({ intervalBytes, maxSamplesPerSec: opts.maxSamplesPerSec }) } catch (err) { guard.fault(err) }
    }
    hold(events.subscribe(guard.wrap(onEvent)))
  })
  const guard = life.guard
  const sites = new Map<string, AllocSite>()
  const sizes = createBytesHistogram()
  let total = 0, droppedSites = 0, startedMs = 0, samples = 0, ownBytes = 0
  const own = new Map<string, boolean>()

  function onEvent(e: AllocSampleEvent): void {
    const bytes = e.bytes > 0 ? e.bytes : 0
    total += bytes
    samples++
    const size = e.size
    if (size !== undefined && size > 0) sizes.recordN(size, Math.max(1, Math.round(bytes / size)))
    else sizes.record(bytes)
    let mine = own.get(e.url)
    if (mine === undefined) { mine = isSondeFile(e.url); if (own.size < MAX_SITES) own.set(e.url, mine) }
    if (mine) { ownBytes += bytes; return }
    const key = e.functionName + '\u0000' + e.url + '\u0000' + e.line
    let s = sites.get(key)
    if (s === undefined) {
      if (sites.size >= MAX_SITES) {
        droppedSites++
        s = sites.get('(other)')
        if (s === undefined) { s = { function: '(other)', url: '', line: 0, bytes: 0, samples: 0, bytesPerSec: 0, stack: [] }; sites.set('(other)', s) }
      } else {
        s = { function: e.functionName || '(anonymous)', url: e.url, line: e.line, bytes: 0, samples: 0, bytesPerSec: 0, stack: (e.stack ?? []).slice(0, MAX_STACK) }
        sites.set(key, s)
      }
    }
    s.bytes += bytes
    s.samples++
  }

  const collector = {
    name: 'alloc' as const,
    guard,
    intervalBytes,
    get running() { return life.running },
    start: life.start,
    stop: life.stop,
    record: guard.wrap(onEvent),
    /** Top sites by bytes, largest first, with bytes/s since start. */
    top(n: number = topSites): AllocSite[] {
      const secs = Math.max(1e-3, (Date.now() - startedMs) / 1000)
      return [...sites.values()].sort((a, b) => b.bytes - a.bytes).slice(0, n)
        .map((s) => ({ ...s, bytesPerSec: s.bytes / secs, stack: s.stack.slice() }))
    },
    snapshot(): AllocSnapshot {
      let currentIntervalBytes = intervalBytes
      try { if (life.running && events.producing) currentIntervalBytes = allocSamplerStats().intervalBytes || intervalBytes } catch { /* keep the configured one */ }
      return { intervalBytes, currentIntervalBytes, totalBytes: total, sites: collector.top(), droppedSites, objectSizeBytes: summarize(sizes), histogram: sizes.snapshot(), samples, ownBytes }
    },
  }
  return collector
}

export type AllocationCollector = ReturnType<typeof createAllocationCollector>
