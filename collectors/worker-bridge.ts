// Worker threads report into the main thread's registry: each worker's message and GC
// collectors are drained every `flushMs` (and when the worker's loop goes idle at exit is not
// observable, so the last < flushMs of a worker that exits may be lost) and the deltas are
// posted on a BroadcastChannel; the main thread merges them. BroadcastChannel is not a
// MessagePort, so the message hook does not see (or count) our own traffic. Both ends are
// unref'd: the bridge never keeps a process or worker alive. Payload per flush is bounded by
// maxChannels and the GC kinds.
import { BroadcastChannel, threadId } from 'node:worker_threads'
import type { CollectorSet } from './collector-set'
import type { MessageDelta } from './message-latency'
import type { GcDelta } from './gc'
import { createCollectorGuard, guardedInterval } from './collector-guard'

const CHANNEL = 'sonde:collectors'

interface BridgePayload { sonde: 1; threadId: number; messages?: MessageDelta[]; gc?: GcDelta[] }

/** Worker side: forward deltas; returns stop (which flushes once more). */
export function startWorkerForwarder(set: CollectorSet, flushMs = 100): () => void {
  const guard = createCollectorGuard('worker-bridge')
  const bc = new BroadcastChannel(CHANNEL)
  ;(bc as unknown as { unref?: () => void }).unref?.()
  const flush = guard.wrap(() => {
    const messages = set.collectors.messages?.drainDelta()
    const gc = set.collectors.gc?.drainDelta()
    if ((messages && messages.length) || (gc && gc.length)) {
      const payload: BridgePayload = { sonde: 1, threadId, messages, gc }
      bc.postMessage(payload)
    }
  })
  const stopTimer = guardedInterval(guard, flushMs, flush)
  let stopped = false
  const stop = () => {
    if (stopped) return
    stopped = true
    stopTimer()
    flush()
    try { bc.close() } catch { /* closed */ }
  }
  guard.onTrip(stop)
  return stop
}

/** Main side: merge what workers forward; returns stop. */
export function startWorkerReceiver(set: CollectorSet): () => void {
  const guard = createCollectorGuard('worker-bridge')
  const bc = new BroadcastChannel(CHANNEL)
  ;(bc as unknown as { unref?: () => void }).unref?.()
  bc.onmessage = guard.wrap((ev: unknown) => {
    const p = (ev as { data?: BridgePayload }).data
    if (!p || p.sonde !== 1) return
    if (p.messages && set.collectors.messages) set.collectors.messages.mergeDelta(p.messages)
    if (p.gc && set.collectors.gc) set.collectors.gc.mergeDelta(p.gc)
  })
  const stop = () => { try { bc.close() } catch { /* closed */ } }
  guard.onTrip(stop)
  return stop
}
