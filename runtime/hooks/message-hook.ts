// Worker-message hook: msg__send / msg__receive for worker_threads (Worker#postMessage <->
// parentPort, MessageChannel ports, transferred ports) and messageEvents for collectors,
// without touching what the application sends or receives.
//
// Send: MessagePort.prototype.postMessage (Worker#postMessage forwards to its public port).
// Receive: the one place Node hands every port message to JS, the port's
// Symbol.for('nodejs.internal.kHybridDispatch') (lib/internal/per_context/messageport.js ->
// NodeEventTarget), which runs before any 'message' listener or onmessage and whatever way the
// listener was added; messages posted before a listener exists wait in the native queue and are
// dispatched when the port starts, so pick-up is when the app's JS can first see them. Also
// receiveMessageOnPort. New channels: a MessageChannel subclass marks both ends; new Workers:
// the 'worker_threads' diagnostics channel (published synchronously in the Worker constructor).
// Sequence counters always run (one shared-memory increment per message) so both ends stay in
// step whenever a tracer attaches; the clock is read (first thing, see postMessage) only while
// someone wants latencies.
import diagnostics_channel from 'node:diagnostics_channel'
import worker_threads, { MessagePort, threadId, type Worker } from 'node:worker_threads'
import { messageEvents, type MessageEvent as SondeMessageEvent } from '../runtime-events'
import { createHookGuard } from './hook-guard'
import { gateOn, type Fireable } from './probe-gate'
import type { MessageRegistry, PortIdentity } from './message-registry'
import { PortSides, type PortSide } from './message-sides'

export interface MessageProbeSet {
  /** channel id, seq, payload bytes or -1, sender thread id */
  msg__send: Fireable<[number, number, number, number]>
  /** channel id, seq, latency ns (0 = unknown), receiver thread id */
  msg__receive: Fireable<[number, number, number, number]>
}

const kHybridDispatch = Symbol.for('nodejs.internal.kHybridDispatch')
const kCurrentlyReceivingPorts = Symbol.for('nodejs.internal.kCurrentlyReceivingPorts')
const MAX_STRING_BYTES_SCAN = 64 * 1024

function nowNs(): number { return Number(process.hrtime.bigint()) }

function payloadBytes(v: unknown): number {
  if (typeof v === 'string') return v.length <= MAX_STRING_BYTES_SCAN ? Buffer.byteLength(v) : -1
  if (v instanceof ArrayBuffer || v instanceof SharedArrayBuffer) return v.byteLength
  if (ArrayBuffer.isView(v)) return v.byteLength
  return -1
}

function transferList(t: unknown): readonly unknown[] | undefined {
  if (Array.isArray(t)) return t
  const inner = (t as { transfer?: unknown } | null | undefined)?.transfer
  return Array.isArray(inner) ? inner : undefined
}

function publicPortOf(worker: Worker): object | undefined {
  const o = worker as unknown as Record<symbol, unknown>
  const sym = Object.getOwnPropertySymbols(o).find((s) => s.description === 'kPublicPort')
  const port = sym ? o[sym] : undefined
  return port instanceof MessagePort ? port : undefined
}

/**
 * An ES module that imported node:worker_threads before the patch holds the old exports until
 * node:module's syncBuiltinESMExports(); one imported after it gets the patched ones. With no
 * ES-module loader in the process yet (`-r` before a CommonJS app) no such import can have
 * happened, and node:module (0.4-0.8 MB of RSS at start-up, with the loader it brings) is not
 * loaded for nothing. process.moduleLoadList lists the builtins loaded so far.
 */
function syncEsmViews(): void {
  const loaded = (process as unknown as { moduleLoadList?: unknown }).moduleLoadList
  if (Array.isArray(loaded) && !loaded.includes('NativeModule internal/modules/esm/loader')) return
  ;(require('node:module') as typeof import('node:module')).syncBuiltinESMExports()
}

export function installMessageHook(probes: MessageProbeSet, sides = new PortSides()): () => void {
  const guard = createHookGuard('message')
  const reg: MessageRegistry = sides.registry
  const proto = MessagePort.prototype as unknown as Record<PropertyKey, unknown>
  const origPost = MessagePort.prototype.postMessage
  const hadOwnDispatch = Object.prototype.hasOwnProperty.call(proto, kHybridDispatch)
  const origDispatch = proto[kHybridDispatch] as (this: object, data: unknown, type: string, ev: unknown) => unknown
  const origReceive = worker_threads.receiveMessageOnPort
  const OrigChannel = worker_threads.MessageChannel
  const WorkerProto = worker_threads.Worker.prototype as unknown as { postMessage: (...a: unknown[]) => void }
  const origWorkerPost = WorkerProto.postMessage
  /** Clock read by Worker#postMessage before it forwards to its public port (0 = none). */
  let earlyNs = 0
  const { msg__send: send, msg__receive: receive } = probes

  /**
   * Whether a send must be stamped: some thread wants latencies (shared flag, set by the gates'
   * poll) or, without waiting for that poll, a probe is enabled (semaphores are process-wide) or
   * a local collector listens. A few loads; a send time is stamped only when this is true.
   */
  function wantsSendTime(): boolean {
    return reg.timing || receive.enabled || send.enabled || messageEvents.active
  }

  function beforeSend(side: PortSide, value: unknown, transfer: unknown, sentNs: number): number {
    const ev = messageEvents.active
    const seq = side.sendDir >= 0 ? reg.stampSend(side.sendDir, sentNs) : ++side.sendLocal
    const list = transfer === undefined ? undefined : transferList(transfer)
    if (list !== undefined && list.length > 0) handOff(side, seq, list)
    if (send.enabled || ev) {
      const bytes = payloadBytes(value)
      if (send.enabled) send.fire(side.channelId, seq, bytes, threadId)
      if (ev) messageEvents.emit({ phase: 'send', channelId: side.channelId, seq, bytes, direction: side.sendDirection, threadId })
    }
    return seq
  }

  /** Ports moving inside message `seq`: the receiver finds their identities by (dir, seq). */
  function handOff(carrier: PortSide, seq: number, list: readonly unknown[]): void {
    const ids: PortIdentity[] = []
    for (const item of list) {
      if (!(item instanceof MessagePort)) continue
      const s = sides.get(item)
      if (s) sides.transferOut(s)
      ids.push(s ?? { channelId: 0, sendDir: -1, recvDir: -1 })
    }
    if (ids.some((id) => id.channelId !== 0) && carrier.sendDir >= 0) reg.putHandoff(carrier.sendDir, seq, ids)
  }

  interface PickedUp { side: PortSide; seq: number; latencyNs: number }

  /**
   * Counts a picked-up message, adopts the ports it carries and computes its latency (pick-up
   * stamp - send stamp; 0 = unknown): all that must precede the app's handlers (the handler may
   * use a carried port at once, and the sender's ring slot may be reused while it runs). The
   * pick-up clock is read last, after this bookkeeping: it is part of the wait before the app's
   * handler can run (measured, idle hop: hook stamp -> handler 10.6-12.5 µs when read first).
   */
  function pickUp(port: object, arrived: unknown, timed: boolean): PickedUp | undefined {
    const side = sides.get(port)
    if (!side) return undefined
    const seq = side.recvDir >= 0 ? reg.nextReceive(side.recvDir) : ++side.recvLocal
    if (Array.isArray(arrived) && arrived.length > 0 && side.recvDir >= 0) {
      const ids = reg.takeHandoff(side.recvDir, seq)
      if (ids) for (let k = 0; k < ids.length && k < arrived.length; k++) if (ids[k].channelId !== 0) sides.adopt(arrived[k], ids[k])
    }
    const sentNs = timed && side.recvDir >= 0 ? reg.sendTime(side.recvDir, seq) : 0
    return { side, seq, latencyNs: sentNs > 0 ? Math.max(1, nowNs() - sentNs) : 0 }
  }

  /** Fires msg__receive and emits the collectors' event. */
  function report({ side, seq, latencyNs }: PickedUp): void {
    if (receive.enabled) receive.fire(side.channelId, seq, latencyNs, threadId)
    if (messageEvents.active) {
      const e: SondeMessageEvent = { phase: 'receive', channelId: side.channelId, seq, bytes: -1, direction: side.recvDirection, threadId }
      if (latencyNs > 0) e.latencyNs = latencyNs
      messageEvents.emit(e)
    }
  }

  // The latency is send call -> pick-up by the receiver's JS: the send side reads the clock first
  // thing, before the hook's own work (even the checks whether anyone wants the time: on a thread
  // that was idle, the guard and wantsSendTime() took µs; measured, idle hop, app clock -> hook
  // stamp 3.2-7.1 µs mean with the checks first, 1.8-3.0 µs with the clock first, 4 runs each),
  // and the receive side last, after its bookkeeping: that work is µs of cold code too, which
  // belongs inside the measured interval as it is inside the app's own view. So the clock is read
  // before those checks, behind only `timedHere()` (two plain loads; an untimed send pays no clock
  // read); a probe enabled in the last poll interval still gets its stamp, read after the checks.
  // Serialisation (structured clone) happens inside the original postMessage, after the stamp.
  function postMessage(this: MessagePort, ...args: unknown[]): void {
    const calledNs = earlyNs > 0 ? earlyNs : timedHere() ? nowNs() : 0
    earlyNs = 0
    let side: PortSide | undefined
    let seq = 0
    if (guard.on) {
      try {
        const sentNs = wantsSendTime() ? (calledNs > 0 ? calledNs : nowNs()) : 0
        side = sides.get(this)
        if (side) seq = beforeSend(side, args[0], args[1], sentNs)
      } catch (err) { guard.fault(err); side = undefined }
    }
    if (!side) return Reflect.apply(origPost, this, args)
    try {
      return Reflect.apply(origPost, this, args)
    } catch (appErr) {
      // The post itself failed (e.g. DataCloneError): nothing was queued, so undo the count.
      try {
        if (side.sendDir >= 0) { reg.unstampSend(side.sendDir, seq); reg.takeHandoff(side.sendDir, seq) } else side.sendLocal--
      } catch (err) { guard.fault(err) }
      throw appErr
    }
  }

  // Worker#postMessage forwards to its public port's postMessage (the hook above); on a main
  // thread that was idle that forwarding is µs of cold code inside the app's send call, so the
  // clock is read here first (measured, idle hop: app clock -> port stamp 7.0-7.8 µs) and the
  // port's hook above uses that reading.
  function workerPostMessage(this: unknown, ...args: unknown[]): void {
    earlyNs = timedHere() ? nowNs() : 0
    try {
      return Reflect.apply(origWorkerPost, this, args)
    } finally {
      earlyNs = 0
    }
  }

  // Only the clock read, the sequence count and the adoption of carried ports happen before the
  // app's handlers; msg__receive and the collectors' event come right after them. The latency
  // was taken at pick-up already, and the rest (tens of µs of cold code on a thread that was
  // idle) must not sit between the message and the app's own handler. So a tracer sees a
  // message's receive after what its handler did, with the pick-up latency.
  function dispatch(this: object, data: unknown, type: string, event: unknown): unknown {
    let picked: PickedUp | undefined
    if (guard.on) {
      try {
        if (type === 'message' || type === 'messageerror') {
          picked = pickUp(this, (this as Record<symbol, unknown>)[kCurrentlyReceivingPorts], receive.enabled || messageEvents.active)
        } else if (type === 'close') { const s = sides.get(this); if (s) sides.release(s) }
      } catch (err) { guard.fault(err) }
    }
    if (picked === undefined) return origDispatch.call(this, data, type, event)
    try {
      return origDispatch.call(this, data, type, event)
    } finally {
      try { report(picked) } catch (err) { guard.fault(err) }
    }
  }

  function receiveMessageOnPort(port: Parameters<typeof origReceive>[0]): { message: unknown } | undefined {
    const r = origReceive(port)
    if (r !== undefined && guard.on) {
      try {
        const picked = pickUp(port, undefined, receive.enabled || messageEvents.active)
        if (picked) report(picked)
      } catch (err) { guard.fault(err) }
    }
    return r
  }

  class MessageChannel extends OrigChannel {
    constructor() {
      super()
      guard.run(() => sides.markChannel(this.port1, this.port2))
    }
  }

  const onWorker = (msg: unknown): void => {
    guard.run(() => {
      const worker = (msg as { worker: Worker }).worker
      const port = publicPortOf(worker)
      if (!port) return
      const side = sides.markWorker(port, worker.threadId)
      worker.once('exit', () => guard.run(() => sides.release(side, true)))
    })
  }

  /** This thread's gate is live, or another thread wants send times (the shared flag). */
  let timing = false
  function timedHere(): boolean { return timing || reg.timing }
  const setTiming = (on: boolean): void => { if (on !== timing) { timing = on; reg.setTiming(on) } }
  const onExit = (): void => setTiming(false)

  const g = globalThis as unknown as Record<string, unknown>
  const hadGlobalChannel = g.MessageChannel === OrigChannel
  MessagePort.prototype.postMessage = postMessage as typeof origPost
  WorkerProto.postMessage = workerPostMessage
  proto[kHybridDispatch] = dispatch
  worker_threads.receiveMessageOnPort = receiveMessageOnPort as typeof origReceive
  worker_threads.MessageChannel = MessageChannel
  if (hadGlobalChannel) g.MessageChannel = MessageChannel
  syncEsmViews()
  diagnostics_channel.subscribe('worker_threads', onWorker)
  process.on('exit', onExit)
  const ungate = gateOn([send, receive], [messageEvents], (live) => guard.run(() => setTiming(live)))

  let installed = true
  function uninstall(): void {
    if (!installed) return
    installed = false
    ungate()
    setTiming(false)
    process.removeListener('exit', onExit)
    diagnostics_channel.unsubscribe('worker_threads', onWorker)
    if (MessagePort.prototype.postMessage === (postMessage as unknown)) MessagePort.prototype.postMessage = origPost
    if (WorkerProto.postMessage === workerPostMessage) WorkerProto.postMessage = origWorkerPost
    if (proto[kHybridDispatch] === dispatch) {
      if (hadOwnDispatch) proto[kHybridDispatch] = origDispatch
      else delete proto[kHybridDispatch]
    }
    if (worker_threads.receiveMessageOnPort === (receiveMessageOnPort as unknown)) worker_threads.receiveMessageOnPort = origReceive
    if (worker_threads.MessageChannel === MessageChannel) worker_threads.MessageChannel = OrigChannel
    if (g.MessageChannel === MessageChannel) g.MessageChannel = OrigChannel
    syncEsmViews()
  }
  guard.onTrip(uninstall)
  return uninstall
}
