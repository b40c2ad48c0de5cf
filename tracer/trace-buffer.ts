// The function tracer's per-thread event buffer: a bounded ring of fixed-size blocks of
// little-endian u32 words (format: docs/trace-format.md). Events are 2 or 3 words with a
// delta-ns clock, so a traced call (entry + return) costs 16 bytes. Each block starts with
// its absolute time and a snapshot of the traced stack, so when the ring is full and the
// oldest block is dropped, the blocks that remain still decode into a consistent profile.
// Drops are counted and written to the file. No allocation once the ring is full.
import { DEFAULT_TRACE_BUFFER_BYTES } from '../runtime/config'
import { BLOCK_HEADER_WORDS, BLOCK_WORDS, EV_TIME, SNAPSHOT_MAX } from './trace-format'

/** Room kept free at the end of a block: the largest event sequence (TIME + RESUME). */
const SLACK_WORDS = 8
export const DEFAULT_BUFFER_BYTES = DEFAULT_TRACE_BUFFER_BYTES

/** What a block header snapshots: the runtime's traced stack. */
export interface StackSource {
  readonly stack: Int32Array
  readonly sp: number
}

export interface SealedBlock {
  seq: number
  words: Uint32Array
  length: number
  events: number
}

export class TraceBuffer {
  /** Current block and write position: read by the runtime's inlined fast path. */
  w: Uint32Array
  pos = 0
  limit = BLOCK_WORDS - SLACK_WORDS
  /** ns (since the thread's trace start) of the last event written. */
  last = 0
  events = 0
  droppedBlocks = 0
  droppedEvents = 0
  private seq = 0
  private readonly sealed: SealedBlock[] = []
  private readonly maxBlocks: number

  constructor(maxBytes: number, private readonly source: StackSource) {
    this.maxBlocks = Math.max(2, Math.floor(maxBytes / (BLOCK_WORDS * 4)))
    this.w = new Uint32Array(BLOCK_WORDS)
    this.startBlock(0)
  }

  private startBlock(ns: number): void {
    const w = this.w
    w[0] = Math.floor(ns / 0x100000000)
    w[1] = ns >>> 0
    const { stack, sp } = this.source
    const n = Math.min(sp, SNAPSHOT_MAX, stack.length)
    w[2] = n
    for (let i = 0; i < n; i++) w[BLOCK_HEADER_WORDS + i] = stack[i]
    this.pos = BLOCK_HEADER_WORDS + n
    this.events = 0
    this.seq++
  }

  /** Seals the current block and starts the next one; drops the oldest when full. */
  roll(): void {
    this.sealed.push({ seq: this.seq, words: this.w, length: this.pos, events: this.events })
    let next: Uint32Array | undefined
    while (this.sealed.length >= this.maxBlocks) {
      const old = this.sealed.shift()!
      this.droppedBlocks++
      this.droppedEvents += old.events
      next = old.words
    }
    this.w = next ?? new Uint32Array(BLOCK_WORDS)
    this.startBlock(this.last)
  }

  /** Writes a 2-word event at `ns`; the caller checked `pos < limit`. */
  event(word0: number, ns: number): void {
    let p = this.pos
    const w = this.w
    let d = ns - this.last
    if (d < 0) d = 0
    if (d > 0xffffffff) { p = this.time(p, ns); d = 0 }
    this.last = ns
    w[p] = word0
    w[p + 1] = d
    this.pos = p + 2
    this.events++
  }

  /** Writes a 3-word event (RESUME: aid, fnId). */
  event3(word0: number, ns: number, extra: number): void {
    this.event(word0, ns)
    this.w[this.pos++] = extra
  }

  private time(p: number, ns: number): number {
    const w = this.w
    w[p] = EV_TIME
    w[p + 1] = Math.floor(ns / 0x100000000)
    w[p + 2] = ns >>> 0
    this.last = ns
    return p + 3
  }

  /** The blocks written since the last `take`, oldest first, then restarts the current block. */
  take(): SealedBlock[] {
    const out = this.sealed.splice(0)
    if (this.pos > BLOCK_HEADER_WORDS + this.w[2] || out.length === 0) {
      out.push({ seq: this.seq, words: this.w.slice(0, this.pos), length: this.pos, events: this.events })
    }
    this.startBlock(this.last)
    return out
  }
}

/** Base64 of a block's words, little-endian (every supported platform is LE). */
export function encodeBlock(b: SealedBlock): string {
  return Buffer.from(b.words.buffer, b.words.byteOffset, b.length * 4).toString('base64')
}
