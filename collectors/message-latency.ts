// Message collector: per channel and direction (parent->worker, worker->parent, port, ipc),
// latency from send to pick-up by the receiving thread's JS (histogram, max), messages sent and
// picked up (rate, in flight = sent − picked up). Fed by messageEvents (worker_threads hook, and
// ipc-hook.ts for child_process IPC: channel "ipc"). In a worker thread the same collector runs
// and its deltas are forwarded to the main thread (worker-bridge.ts), so the main registry
// covers every thread.
// Bounded: at most maxChannels channel labels; further channels fold into channel "other".
import { messageEvents, MessageEvent } from '../runtime/runtime-events'
import { Histogram, HistogramSnapshot, createTimeHistogram, summarize } from './histogram'
import { SeriesRing, SeriesSnapshot } from './series-ring'
import { guardedInterval } from './collector-guard'
import { collectorLifecycle } from './collector'
import { installIpcHook, IPC_CHANNEL_ID } from '../runtime/hooks/ipc-hook'

export interface ChannelStats {
  channel: string
  direction: string
  latency: Histogram
  sent: number
  received: number
  /** Received in the last closed interval, per second. */
  ratePerSec: number
  lastReceived: number
}

export interface MessageSnapshot {
  channels: { channel: string; direction: string; sent: number; received: number; inFlight: number; ratePerSec: number; latencyNs: ReturnType<typeof summarize>; histogram: HistogramSnapshot }[]
  dropped: number
  heatmap: SeriesSnapshot
}

export interface MessageDelta { channel: string; direction: string; sent: number; received: number; histogram: HistogramSnapshot }

export interface MessageCollectorOptions {
  maxChannels?: number; intervalMs?: number; seriesSlots?: number
  /** Hook child_process IPC (ipc-hook.ts); default true. */
  ipc?: boolean
}

export function createMessageCollector(opts: MessageCollectorOptions = {}) {
  const maxChannels = opts.maxChannels ?? 64
  const intervalMs = opts.intervalMs ?? 1000
  const life = collectorLifecycle('messages', (hold) => {
    hold(messageEvents.subscribe(guard.wrap(onEvent)))
    hold(guardedInterval(guard, intervalMs, tick))
    if (opts.ipc !== false) { try { hold(installIpcHook()) } catch (err) { guard.fault(err) } }
  })
  const guard = life.guard
  const byChannel = new Map<string, Map<string, ChannelStats>>()
  const ring = new SeriesRing({ slots: opts.seriesSlots ?? 60, intervalMs })
  let keys = 0
  let dropped = 0

  function stats(channel: string, direction: string): ChannelStats {
    let dirs = byChannel.get(channel)
    if (dirs === undefined) {
      if (keys >= maxChannels && channel !== 'other') { dropped++; return stats('other', direction) }
      dirs = new Map()
      byChannel.set(channel, dirs)
    }
    let s = dirs.get(direction)
    if (s === undefined) {
      keys++
      s = { channel, direction, latency: createTimeHistogram(), sent: 0, received: 0, ratePerSec: 0, lastReceived: 0 }
      dirs.set(direction, s)
    }
    return s
  }

  function onEvent(e: MessageEvent): void {
    const s = stats(e.channelId === IPC_CHANNEL_ID ? 'ipc' : String(e.channelId), e.direction)
    if (e.phase === 'send') s.sent++
    else {
      s.received++
      const ns = e.latencyNs
      if (ns !== undefined && ns >= 0) { s.latency.record(ns); ring.current.record(ns) }
    }
  }

  function tick(): void {
    const secs = intervalMs / 1000
    for (const dirs of byChannel.values()) for (const s of dirs.values()) {
      s.ratePerSec = (s.received - s.lastReceived) / secs
      s.lastReceived = s.received
    }
    ring.rotate()
  }

  const collector = {
    name: 'messages' as const,
    guard,
    ring,
    get running() { return life.running },
    start: life.start,
    stop: life.stop,
    /** Direct entry for forwarded or IPC events (same path as a subscribed event). */
    record: guard.wrap(onEvent),
    channels(): ChannelStats[] {
      const out: ChannelStats[] = []
      for (const dirs of byChannel.values()) for (const s of dirs.values()) out.push(s)
      return out
    },
    snapshot(): MessageSnapshot {
      return {
        channels: collector.channels().map((s) => ({
          channel: s.channel, direction: s.direction, sent: s.sent, received: s.received,
          inFlight: Math.max(0, s.sent - s.received), ratePerSec: s.ratePerSec,
          latencyNs: summarize(s.latency), histogram: s.latency.snapshot(),
        })),
        dropped,
        heatmap: ring.snapshot(),
      }
    },
    /** Worker side: what changed since the last drain, then reset (bounded by maxChannels). */
    drainDelta(): MessageDelta[] {
      const out: MessageDelta[] = []
      for (const s of collector.channels()) {
        if (s.sent === 0 && s.received === 0) continue
        out.push({ channel: s.channel, direction: s.direction, sent: s.sent, received: s.received, histogram: s.latency.snapshot() })
        s.sent = 0; s.received = 0; s.lastReceived = 0; s.latency.reset()
      }
      return out
    },
    /** Main side: add a worker's delta. */
    mergeDelta: guard.wrap((deltas: MessageDelta[]) => {
      for (const d of deltas) {
        const s = stats(String(d.channel), String(d.direction))
        s.sent += d.sent
        s.received += d.received
        s.latency.mergeSnapshot(d.histogram)
        ring.current.mergeSnapshot(d.histogram)
      }
    }),
  }
  return collector
}

export type MessageCollector = ReturnType<typeof createMessageCollector>
