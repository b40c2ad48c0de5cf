// child_process IPC for the message collector: latency from `send()` in one process to the
// moment the other process's JS picks the message up (its 'message' event), channel "ipc",
// direction parent->child (seen in the child) and child->parent (seen in the parent).
//
// How, without changing what handlers receive: after each successful `send(message)` the
// sender writes one extra message {cmd: 'NODE_SONDE_IPC_T', n, t} on the same channel (n = the
// sender's count of sends, t = process.hrtime before the send; CLOCK_MONOTONIC is one clock for
// every process on the host). Node routes objects whose cmd starts with "NODE_" to the
// 'internalMessage' event, never to 'message' (lib/internal/child_process.js isInternal), so an
// uninstrumented receiver ignores it, and an instrumented one swallows it. The receiver counts
// its 'message' emits (the same n sequence: one IPC channel is ordered) and pairs pick-up n
// with stamp n, whichever comes first: a stamp normally follows its message in the same read,
// but while nobody listens for 'message' Node buffers messages and still emits internal ones.
// The wrappers are own properties (`send`, `emit`) of the ChildProcess / `process` object;
// they never throw into the app (their own work is guarded) and pass every argument and return
// value through. Patched children: those spawned after install (ChildProcess.prototype.spawn).
//
// Rows per registry: a process sees the direction it receives: "sent" = the peer's sends known
// from its stamps, "received" = picked up, so in flight = messages known sent and not yet
// picked up here. Limits: a peer without sonde sends no stamps (counts only, no latency, and
// the last pick-up waits for its stamp); the stamp doubles the IPC writes (measured in bench/);
// the USDT probes msg__send/msg__receive are not fired for IPC (this hook lives in collectors/).
import diagnostics_channel from 'node:diagnostics_channel'
import { debuglog } from 'node:util'
import { messageEvents } from '../runtime-events'

const debug = debuglog('sonde')
const STAMP = 'NODE_SONDE_IPC_T'
const MAX_STAMPS = 1024
const STATE = Symbol.for('sonde.ipc.state')
/** channelId of IPC message events (worker_threads channels are ≥ 0). */
export const IPC_CHANNEL_ID = -1

interface IpcTarget {
  send: (...args: unknown[]) => boolean
  emit: (...args: unknown[]) => boolean
  _send?: (message: unknown, handle: unknown, options: unknown, callback: unknown) => boolean
  connected?: boolean
  [STATE]?: Side
}

interface Side { sent: number; picked: number; knownSent: number; stamps: Map<number, number>; pending: { n: number; at: number } | undefined; recvDir: string; faults: number }

function nowNs(): number { return Number(process.hrtime.bigint()) }

function emitReceive(side: Side, latencyNs: number | undefined): void {
  messageEvents.emit({ phase: 'receive', channelId: IPC_CHANNEL_ID, seq: side.picked, bytes: -1, latencyNs, direction: side.recvDir, threadId: 0 })
}

function guarded(side: Side, fn: () => void): void {
  try { fn() } catch (err) { if (++side.faults === 1) debug('ipc hook fault: %s', (err as Error)?.message ?? err) }
}

function onPick(side: Side, at: number): void {
  const n = ++side.picked
  if (at === 0) return
  const t = side.stamps.get(n)
  if (t !== undefined) { side.stamps.delete(n); emitReceive(side, at - t); return }
  if (side.pending) emitReceive(side, undefined)
  side.pending = { n, at }
}

function onStamp(side: Side, m: { n?: unknown; t?: unknown }): void {
  const n = m.n, t = m.t
  if (typeof n !== 'number' || typeof t !== 'number' || !messageEvents.active) return
  for (; side.knownSent < n; side.knownSent++) messageEvents.emit({ phase: 'send', channelId: IPC_CHANNEL_ID, seq: side.knownSent + 1, bytes: -1, direction: side.recvDir, threadId: 0 })
  if (side.pending && side.pending.n === n) { emitReceive(side, side.pending.at - t); side.pending = undefined; return }
  if (n <= side.picked) return
  side.stamps.set(n, t)
  if (side.stamps.size > MAX_STAMPS) side.stamps.delete(side.stamps.keys().next().value as number)
}

/** Wraps `send` and `emit` of one IPC end (idempotent: the state lives on the target). */
export function hookIpcTarget(target: IpcTarget, recvDir: string): void {
  if (target[STATE] || typeof target.send !== 'function' || typeof target.emit !== 'function') return
  const side: Side = { sent: 0, picked: 0, knownSent: 0, stamps: new Map(), pending: undefined, recvDir, faults: 0 }
  target[STATE] = side
  const origSend = target.send, origEmit = target.emit
  // Clock reads sit right next to the original call, bookkeeping after it: with messages
  // milliseconds apart this code runs cold (µs per call), and whatever runs between our stamp
  // and the app's would show as a systematic error. So the send clock is read before any check,
  // even whether anyone listens (~70 ns, against tens of µs for an IPC send; with the read behind
  // `messageEvents.active` the idle error was 4.7-5.3 % against 3.7-4.6 %, 4 alternating runs).
  target.send = function sondeIpcSend(this: IpcTarget): boolean {
    const calledNs = nowNs()
    const connected = this.connected === true
    const t = connected && messageEvents.active ? calledNs : 0
    // eslint-disable-next-line prefer-rest-params -- forwards every argument as given, no array per send
    const ret = origSend.apply(this, arguments as unknown as unknown[])
    if (connected) {
      const n = ++side.sent
      if (t !== 0 && typeof this._send === 'function') guarded(side, () => { this._send!({ cmd: STAMP, n, t }, undefined, { swallowErrors: true }, undefined) })
    }
    return ret
  }
  target.emit = function sondeIpcEmit(this: IpcTarget, event: unknown, m: unknown): boolean {
    if (event === 'message') {
      const at = messageEvents.active ? nowNs() : 0
      // eslint-disable-next-line prefer-rest-params -- forwards every argument as given, no array per emit
      try { return origEmit.apply(this, arguments as unknown as unknown[]) } finally { guarded(side, () => onPick(side, at)) }
    }
    if (event === 'internalMessage' && m !== null && typeof m === 'object' && (m as { cmd?: unknown }).cmd === STAMP) {
      guarded(side, () => onStamp(side, m as { n?: unknown; t?: unknown }))
      return true
    }
    // eslint-disable-next-line prefer-rest-params -- forwards every argument as given, no array per emit
    return origEmit.apply(this, arguments as unknown as unknown[])
  }
}

let installs = 0
let restore: (() => void) | undefined

type SpawnProto = { spawn: (...a: unknown[]) => unknown }

/** Wraps ChildProcess.prototype.spawn so children spawned from now on get their channel hooked; returns the restore. */
function patchSpawn(proto: SpawnProto): () => void {
  const origSpawn = proto.spawn
  const sondeSpawn = function (this: IpcTarget & { channel?: unknown }, ...a: unknown[]): unknown {
    const r = origSpawn.apply(this, a)
    try { if (this.channel) hookIpcTarget(this, 'child->parent') } catch (err) { debug('ipc hook: %s', (err as Error)?.message ?? err) }
    return r
  }
  proto.spawn = sondeSpawn
  return () => { if (proto.spawn === sondeSpawn) proto.spawn = origSpawn }
}

/**
 * Hooks this process's own channel (when it is a child with IPC) and children spawned from now
 * on. Refcounted. node:child_process is not loaded for this (~3 MB of RSS in an app that never
 * spawns): ChildProcess.prototype is patched when Node publishes the first new ChildProcess on
 * the `child_process` diagnostics channel, from its constructor, before its spawn() runs.
 */
export function installIpcHook(): () => void {
  if (installs++ === 0) {
    const proc = process as unknown as IpcTarget & { channel?: unknown }
    if (proc.channel && typeof proc.send === 'function') hookIpcTarget(proc, 'parent->child')
    let unpatch: (() => void) | undefined
    const onChild = (m: unknown): void => {
      if (unpatch) return
      const child = (m as { process?: object } | null)?.process
      const proto = child ? Object.getPrototypeOf(child) as SpawnProto | null : null
      if (proto && typeof proto.spawn === 'function') unpatch = patchSpawn(proto)
    }
    diagnostics_channel.subscribe('child_process', onChild)
    // Children already hooked keep their wrappers (pass-through while nobody listens), so both
    // ends' counts stay in step across a stop/start.
    restore = () => { diagnostics_channel.unsubscribe('child_process', onChild); unpatch?.(); unpatch = undefined }
  }
  let done = false
  return () => {
    if (done) return
    done = true
    if (--installs === 0) { restore?.(); restore = undefined }
  }
}
