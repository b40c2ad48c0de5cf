// Shared memory behind the worker-message hook: one SharedArrayBuffer per process, created by
// the first thread that loads sonde and handed to every worker through
// worker_threads.setEnvironmentData (each new Worker gets a structured clone of the environment
// data, and a SharedArrayBuffer clones as the same memory), so no application message is touched.
//
// It holds, per channel direction ("dir"): the send and receive sequence counters (they live
// here, not in JS, because a MessagePort can be transferred to another thread and keep counting)
// and a ring of RING send timestamps tagged with their sequence number. Ports are FIFO, so the
// receiver counts messages and reads the timestamp of its own sequence number: latency =
// pick-up time - send time, both from the process-wide monotonic clock (uv_hrtime).
// Also: a process-wide channel-id counter, a table threadId -> the Worker/parentPort channel,
// and a small table that carries the identity of ports transferred inside a message.
// Memory is fixed (about 1.6 MiB); when every dir is taken, new channels count but are untimed.
import { getEnvironmentData, setEnvironmentData } from 'node:worker_threads'

const ENV_KEY = 'sonde.messages.v1'
export const MAX_DIRS = 256
export const RING = 512
const WORKERS = 256
const WORKER_FIELDS = 4 // threadId, channelId, down dir + 1, up dir + 1
export const HANDOFFS = 64
export const HANDOFF_PORTS = 4
const HANDOFF_FIELDS = 4 + HANDOFF_PORTS * 3 // state, carrier dir, carrier seq, n, [channel, send dir + 1, recv dir + 1] * 4

// Int32 header slots
const H_CHANNEL = 0, H_TIMING = 1, H_DIRS_EXHAUSTED = 2, H_OVERWRITTEN = 3, H_HANDOFF_LOST = 4
const HEADER = 8

const O_DIR_REFS = HEADER
const O_SEND_SEQ = O_DIR_REFS + MAX_DIRS
const O_RECV_SEQ = O_SEND_SEQ + MAX_DIRS
const O_TAGS = O_RECV_SEQ + MAX_DIRS
const O_WORKERS = O_TAGS + MAX_DIRS * RING
const O_HANDOFFS = O_WORKERS + WORKERS * WORKER_FIELDS
const INT32S = O_HANDOFFS + HANDOFFS * HANDOFF_FIELDS
const TS_BYTE_OFFSET = Math.ceil((INT32S * 4) / 8) * 8
const BYTES = TS_BYTE_OFFSET + MAX_DIRS * RING * 8

export interface PortIdentity { channelId: number; sendDir: number; recvDir: number }

export class MessageRegistry {
  readonly i32: Int32Array
  readonly ts: Float64Array

  constructor(readonly sab: SharedArrayBuffer) {
    this.i32 = new Int32Array(sab, 0, INT32S)
    this.ts = new Float64Array(sab, TS_BYTE_OFFSET, MAX_DIRS * RING)
  }

  newChannelId(): number { return Atomics.add(this.i32, H_CHANNEL, 1) + 1 }

  /** A free dir with `refs` owners, counters and tags cleared; -1 when all are taken. */
  allocDir(refs: number): number {
    const a = this.i32
    for (let d = 0; d < MAX_DIRS; d++) {
      if (Atomics.compareExchange(a, O_DIR_REFS + d, 0, refs) !== 0) continue
      Atomics.store(a, O_SEND_SEQ + d, 0)
      Atomics.store(a, O_RECV_SEQ + d, 0)
      a.fill(0, O_TAGS + d * RING, O_TAGS + (d + 1) * RING)
      return d
    }
    Atomics.add(a, H_DIRS_EXHAUSTED, 1)
    return -1
  }

  releaseDir(d: number): void { if (d >= 0) Atomics.sub(this.i32, O_DIR_REFS + d, 1) }

  /** Threads that want send timestamps (a probe enabled or a collector listening somewhere). */
  get timing(): boolean { return this.i32[H_TIMING] > 0 }
  setTiming(on: boolean): void { Atomics.add(this.i32, H_TIMING, on ? 1 : -1) }

  /** Next send sequence number of `d`; stamps the send time when someone wants timing. */
  stampSend(d: number, nowNs: number): number {
    const a = this.i32
    const seq = a[O_SEND_SEQ + d] + 1
    a[O_SEND_SEQ + d] = seq
    if (nowNs > 0) {
      const i = d * RING + (seq % RING)
      this.ts[i] = nowNs
      Atomics.store(a, O_TAGS + i, seq)
    }
    return seq
  }

  /** Undoes stampSend when the post itself threw (DataCloneError): nothing was queued. */
  unstampSend(d: number, seq: number): void {
    const a = this.i32
    if (a[O_SEND_SEQ + d] === seq) {
      a[O_SEND_SEQ + d] = seq - 1
      Atomics.store(a, O_TAGS + d * RING + (seq % RING), 0)
    }
  }

  nextReceive(d: number): number {
    const a = this.i32
    const seq = a[O_RECV_SEQ + d] + 1
    a[O_RECV_SEQ + d] = seq
    return seq
  }

  /** Send time of `seq` on `d`, or 0 when it was not stamped or already overwritten. */
  sendTime(d: number, seq: number): number {
    const i = d * RING + (seq % RING)
    const a = this.i32
    if (Atomics.load(a, O_TAGS + i) !== seq) {
      if (a[O_SEND_SEQ + d] - seq >= RING) Atomics.add(a, H_OVERWRITTEN, 1)
      return 0
    }
    const t = this.ts[i]
    return Atomics.load(a, O_TAGS + i) === seq ? t : 0
  }

  publishWorker(threadId: number, channelId: number, down: number, up: number): void {
    const o = O_WORKERS + (threadId % WORKERS) * WORKER_FIELDS
    const a = this.i32
    a[o + 1] = channelId; a[o + 2] = down + 1; a[o + 3] = up + 1
    Atomics.store(a, o, threadId)
    Atomics.notify(a, o)
  }

  /** The Worker/parentPort channel of `threadId`, seen from the worker (send = up). */
  lookupWorker(threadId: number, waitMs: number): PortIdentity | null {
    const o = O_WORKERS + (threadId % WORKERS) * WORKER_FIELDS
    const a = this.i32
    const deadline = Date.now() + waitMs
    for (;;) {
      const t = Atomics.load(a, o)
      if (t === threadId) return { channelId: a[o + 1], sendDir: a[o + 3] - 1, recvDir: a[o + 2] - 1 }
      const left = deadline - Date.now()
      if (left <= 0) return null
      Atomics.wait(a, o, t, left)
    }
  }

  /** Records the identities of ports transferred in message `seq` of dir `carrier`. */
  putHandoff(carrier: number, seq: number, ports: readonly PortIdentity[]): void {
    const a = this.i32
    for (let h = 0; h < HANDOFFS; h++) {
      const o = O_HANDOFFS + h * HANDOFF_FIELDS
      if (Atomics.compareExchange(a, o, 0, -1) !== 0) continue
      a[o + 1] = carrier; a[o + 2] = seq
      const n = Math.min(ports.length, HANDOFF_PORTS)
      a[o + 3] = n
      for (let k = 0; k < n; k++) {
        a[o + 4 + k * 3] = ports[k].channelId; a[o + 5 + k * 3] = ports[k].sendDir + 1; a[o + 6 + k * 3] = ports[k].recvDir + 1
      }
      Atomics.store(a, o, 1)
      return
    }
    Atomics.add(a, H_HANDOFF_LOST, 1)
  }

  /** Takes (and frees) the identities carried by message `seq` of dir `carrier`. */
  takeHandoff(carrier: number, seq: number): PortIdentity[] | null {
    const a = this.i32
    for (let h = 0; h < HANDOFFS; h++) {
      const o = O_HANDOFFS + h * HANDOFF_FIELDS
      if (Atomics.load(a, o) !== 1 || a[o + 1] !== carrier || a[o + 2] !== seq) continue
      const out: PortIdentity[] = []
      for (let k = 0; k < a[o + 3]; k++) {
        out.push({ channelId: a[o + 4 + k * 3], sendDir: a[o + 5 + k * 3] - 1, recvDir: a[o + 6 + k * 3] - 1 })
      }
      Atomics.store(a, o, 0)
      return out
    }
    return null
  }

  counters(): { dirsExhausted: number; overwritten: number; handoffsLost: number; dirsInUse: number } {
    const a = this.i32
    let inUse = 0
    for (let d = 0; d < MAX_DIRS; d++) if (Atomics.load(a, O_DIR_REFS + d) > 0) inUse++
    return { dirsExhausted: a[H_DIRS_EXHAUSTED], overwritten: a[H_OVERWRITTEN], handoffsLost: a[H_HANDOFF_LOST], dirsInUse: inUse }
  }
}

let shared: MessageRegistry | undefined

/** This process's registry: inherited from the spawning thread, or created (and published). */
export function messageRegistry(): MessageRegistry {
  if (shared) return shared
  const inherited = getEnvironmentData(ENV_KEY)
  const sab = inherited instanceof SharedArrayBuffer && inherited.byteLength === BYTES ? inherited : new SharedArrayBuffer(BYTES)
  if (sab !== inherited) setEnvironmentData(ENV_KEY, sab)
  shared = new MessageRegistry(sab)
  return shared
}
