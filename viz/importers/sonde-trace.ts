// Importer for sonde function traces (`sonde run --trace-functions`, SONDE_TRACE=…): exact
// entry/return events per thread, replayed into a calling-context tree with exact per-context
// calls (CNT), self time (OWN) and, for async functions and generators, a `suspend` pseudo
// callee holding the time they were scheduled out. Each thread (main, each worker, each
// child process) is its own ProfileThread, as fprof keeps processes apart.
// Format: docs/trace-format.md. Example:
//   SONDE-TRACE 1
//   T {"pid":4242,"threadId":0,"thread":"main","functions":[["fib","/app/fib.js",2,0]],…}
//   B 1 AAAAAAAAAAAAAAAAAQAAAN…      (base64 of little-endian u32 words)
//   E 80748323
import { CallTree, createProfile, ParseError, type Profile, type ProfileThread } from '../model/profile'
import { TimeSlices } from './time-slices'

import {
  BLOCK_HEADER_WORDS, EV_ARG_SHIFT, EV_ENTER, EV_EXIT, EV_RESUME, EV_SUSPEND, EV_TIME, EV_TYPE_MASK,
  LINE_BLOCK, LINE_END, LINE_SECTION, TRACE_MAGIC, TRACE_MAGIC_PREFIX, type SectionHeader,
} from '../../tracer/trace-format'

const TWO32 = 0x100000000

export function isSondeTrace(head: string): boolean {
  return head.startsWith(TRACE_MAGIC_PREFIX)
}

/** A pending suspension: `snap` is the running-time accumulator it is measured against at its start. */
interface Suspension { node: number; t: number; snap: number; covered: number }

interface ThreadState {
  pid: number
  thread: ProfileThread
  tree: CallTree
  stack: number[]
  suspended: Map<number, Suspension>
  /** Suspended activations by CCT node, to charge overlap to ancestors' suspensions once. */
  pendingAt: Map<number, Set<Suspension>>
  /** How many are pending per caller CCT node (the node's parent): time charged while the caller runs is not theirs. */
  pendingUnder: Map<number, number>
  pendingCount: number
  /** Running time charged strictly below a node with pending suspensions, since it had some. */
  below: Map<number, number>
  /** Running time charged at or below a caller node with pending callees, since it had some. */
  under: Map<number, number>
  frameOf: number[]
  slices: TimeSlices
  clock: number
  /** Time up to which self time has been charged. */
  cur: number
  lastSeq: number
  endNs: number
  droppedBlocks: number
  droppedEvents: number
}

function fail(name: string, line: number, reason: string): never {
  throw new ParseError(name, line, reason)
}

function parseHeader(json: string, name: string, line: number): SectionHeader {
  let h: SectionHeader
  try { h = JSON.parse(json) as SectionHeader } catch { fail(name, line, 'section header is not valid JSON') }
  if (!h || typeof h !== 'object' || !Number.isInteger(h.pid) || !Number.isInteger(h.threadId) || !Array.isArray(h.functions)) {
    fail(name, line, 'section header lacks pid, threadId or functions')
  }
  return h
}

class Replay {
  readonly profile: Profile
  private readonly threads = new Map<string, ThreadState>()
  private current: ThreadState | undefined
  private readonly suspendFrame: number

  constructor(private readonly name: string) {
    this.profile = createProfile(name, 'sonde-trace', 'nanoseconds')
    this.suspendFrame = this.profile.frames.intern({ name: 'suspend', kind: 'pseudo' })
  }

  section(h: SectionHeader, line: number): void {
    const key = `${h.pid}/${h.threadId}`
    let st = this.threads.get(key)
    if (!st) {
      const tree = new CallTree()
      tree.hasCalls = true
      const thread: ProfileThread = { name: String(h.thread ?? `thread ${h.threadId}`), tree, startValue: 0 }
      st = { pid: h.pid, thread, tree, stack: [], suspended: new Map(), pendingAt: new Map(), pendingUnder: new Map(), pendingCount: 0, below: new Map(), under: new Map(), frameOf: [], slices: new TimeSlices(), clock: 0, cur: 0, lastSeq: 0, endNs: 0, droppedBlocks: 0, droppedEvents: 0 }
      this.threads.set(key, st)
    }
    st.frameOf = h.functions.map((f, i) => {
      if (!Array.isArray(f) || typeof f[0] !== 'string') fail(this.name, line, `function ${i} is not [name, file, line, column]`)
      return this.profile.frames.intern({ name: f[0], file: String(f[1]), line: Number(f[2]), column: Number(f[3]), kind: 'js' })
    })
    st.droppedBlocks += Number(h.droppedBlocks) || 0
    st.droppedEvents += Number(h.droppedEvents) || 0
    this.current = st
  }

  private charge(st: ThreadState, t: number): void {
    if (t > st.cur && st.stack.length > 0) {
      const n = st.stack[st.stack.length - 1]
      st.tree.self[n] += t - st.cur
      st.slices.add(n, t - st.cur)
      if (st.pendingCount > 0) this.cover(st, n, t - st.cur)
    }
    if (t > st.cur) st.cur = t
  }

  /**
   * Running time that a pending suspension must not count again as its `suspend`:
   *  - time charged below a suspended ancestor (its callee ran): without this, `await
   *    callee()` would count the callee's run time twice in the caller's ACC;
   *  - time charged to a suspended activation's caller context while that context is on the
   *    stack: a generator's consumer running between two next() calls, or the caller
   *    continuing before it awaits the promise. That time is the caller's own.
   */
  // Both are "charged in the subtree of the suspended node's caller" (the caller's own
  // context included); for a caller outside traced code (parent = the root), only the first.
  // Accumulated per node, not per suspension, so many pending activations cost nothing here.
  private cover(st: ThreadState, node: number, dt: number): void {
    for (let a = node; a > 0; a = st.tree.parent[a]) {
      if (a !== node && st.pendingAt.has(a)) st.below.set(a, (st.below.get(a) ?? 0) + dt)
      if (st.pendingUnder.has(a)) st.under.set(a, (st.under.get(a) ?? 0) + dt)
    }
  }

  /** A callee's suspension `w` (ending now, begun at `since`) covers its suspended ancestors' waits in that window. */
  private coverWait(st: ThreadState, node: number, w: number, since: number): void {
    for (let a = st.tree.parent[node]; a > 0; a = st.tree.parent[a]) {
      const set = st.pendingAt.get(a)
      if (!set) continue
      for (const s of set) s.covered += Math.min(w, Math.max(0, st.cur - Math.max(since, s.t)))
    }
  }

  private suspendAt(st: ThreadState, node: number, t: number): Suspension {
    const p = st.tree.parent[node]
    const s: Suspension = { node, t, snap: p > 0 ? st.under.get(p) ?? 0 : st.below.get(node) ?? 0, covered: 0 }
    const set = st.pendingAt.get(node)
    if (set) set.add(s); else st.pendingAt.set(node, new Set([s]))
    if (p > 0) st.pendingUnder.set(p, (st.pendingUnder.get(p) ?? 0) + 1)
    st.pendingCount++
    return s
  }

  /** Ends suspension `s` at `t`: its `suspend` callee gets the wait not covered by running code. */
  private endSuspension(st: ThreadState, s: Suspension, t: number): void {
    const p = st.tree.parent[s.node]
    const ran = p > 0 ? (st.under.get(p) ?? 0) - s.snap : (st.below.get(s.node) ?? 0) - s.snap
    const set = st.pendingAt.get(s.node)
    if (set) { set.delete(s); if (set.size === 0) { st.pendingAt.delete(s.node); st.below.delete(s.node) } }
    if (p > 0) {
      const n = (st.pendingUnder.get(p) ?? 1) - 1
      if (n > 0) st.pendingUnder.set(p, n); else { st.pendingUnder.delete(p); st.under.delete(p) }
    }
    st.pendingCount--
    const w = Math.max(0, t - s.t - ran - s.covered)
    const sn = st.tree.child(s.node, this.suspendFrame)
    st.tree.self[sn] += w
    st.tree.calls[sn]++
    if (st.pendingAt.size > 0 && w > 0) this.coverWait(st, s.node, w, s.t)
  }

  private frame(st: ThreadState, id: number, line: number): number {
    const f = st.frameOf[id]
    if (f === undefined) fail(this.name, line, `event names function ${id}, the section has ${st.frameOf.length}`)
    return f
  }

  block(seq: number, b64: string, line: number): void {
    const st = this.current
    if (!st) fail(this.name, line, 'block before any section header')
    const bytes = Buffer.from(b64, 'base64')
    if (bytes.length % 4 !== 0 || bytes.length < BLOCK_HEADER_WORDS * 4) fail(this.name, line, 'block is not a whole number of 32-bit words')
    const w = new Uint32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length))
    const t0 = w[0] * TWO32 + w[1]
    const depth = w[2]
    if (BLOCK_HEADER_WORDS + depth > w.length) fail(this.name, line, 'stack snapshot runs past the block')
    if (seq !== st.lastSeq + 1) {
      // Earlier blocks were dropped (ring full): restart from this block's stack snapshot.
      st.stack = [0]
      st.stack.length = 0
      let n = 0
      for (let i = 0; i < depth; i++) { n = st.tree.child(n, this.frame(st, w[BLOCK_HEADER_WORDS + i], line)); st.stack.push(n) }
      st.cur = t0
    }
    st.clock = t0
    st.lastSeq = seq
    this.events(st, w, BLOCK_HEADER_WORDS + depth, line)
  }

  private events(st: ThreadState, w: Uint32Array, start: number, line: number): void {
    const tree = st.tree
    for (let p = start; p < w.length;) {
      const type = w[p] & EV_TYPE_MASK
      const arg = w[p] >>> EV_ARG_SHIFT
      if (type === EV_TIME) {
        if (p + 3 > w.length) fail(this.name, line, 'truncated TIME event')
        st.clock = w[p + 1] * TWO32 + w[p + 2]
        p += 3
        continue
      }
      if (p + 2 > w.length) fail(this.name, line, 'truncated event')
      st.clock += w[p + 1]
      const t = st.clock
      p += 2
      this.charge(st, t)
      const top = st.stack.length > 0 ? st.stack[st.stack.length - 1] : 0
      if (type === EV_ENTER) {
        const n = tree.child(top, this.frame(st, arg, line))
        tree.calls[n]++
        st.stack.push(n)
      } else if (type === EV_EXIT) {
        st.stack.pop()
      } else if (type === EV_SUSPEND) {
        if (st.stack.length > 0) st.suspended.set(arg, this.suspendAt(st, st.stack.pop()!, t))
      } else if (type === EV_RESUME) {
        if (p + 1 > w.length) fail(this.name, line, 'truncated RESUME event')
        const fn = this.frame(st, w[p++], line)
        const s = st.suspended.get(arg)
        if (s) {
          st.suspended.delete(arg)
          this.endSuspension(st, s, t)
          st.stack.push(s.node)
        } else {
          st.stack.push(tree.child(top, fn))
        }
      } else {
        fail(this.name, line, `unknown event type ${type}`)
      }
    }
  }

  end(ns: number, line: number): void {
    const st = this.current
    if (!st) fail(this.name, line, 'end line before any section header')
    if (!Number.isFinite(ns) || ns < 0) fail(this.name, line, `bad end time "${ns}"`)
    st.endNs = Math.max(st.endNs, ns)
    this.current = undefined
  }

  finish(): Profile {
    const pids = new Set([...this.threads.values()].map((s) => s.pid))
    let droppedBlocks = 0, droppedEvents = 0
    for (const st of this.threads.values()) {
      // Frames still open at the end (process.exit inside them) run to the end; activations
      // still awaiting are suspended until then.
      this.charge(st, st.endNs)
      const pending = [...st.suspended.values()].sort((a, b) => b.node - a.node)
      for (const s of pending) this.endSuspension(st, s, Math.max(st.endNs, s.t))
      st.thread.endValue = st.endNs
      st.thread.samples = st.slices.sequence()
      if (pids.size > 1) st.thread.name = `pid ${st.pid} ${st.thread.name}`
      droppedBlocks += st.droppedBlocks
      droppedEvents += st.droppedEvents
      this.profile.threads.push(st.thread)
    }
    this.profile.meta.droppedBlocks = droppedBlocks
    this.profile.meta.droppedEvents = droppedEvents
    return this.profile
  }
}

/** Imports a sonde function trace; null when `text` is not one. */
export function importFromSondeTrace(text: string, name: string): Profile | null {
  if (!isSondeTrace(text)) return null
  const r = new Replay(name)
  let lineNo = 0
  let start = 0
  while (start < text.length) {
    let nl = text.indexOf('\n', start)
    if (nl < 0) nl = text.length
    const line = text.slice(start, nl).replace(/\r$/, '')
    start = nl + 1
    lineNo++
    if (lineNo === 1) {
      if (line.trim() !== TRACE_MAGIC) fail(name, 1, `unsupported trace version "${line.slice(TRACE_MAGIC_PREFIX.length, 40)}"`)
      continue
    }
    if (line === '') continue
    const kind = line[0]
    if (kind === LINE_SECTION && line[1] === ' ') r.section(parseHeader(line.slice(2), name, lineNo), lineNo)
    else if (kind === LINE_BLOCK && line[1] === ' ') {
      const sp = line.indexOf(' ', 2)
      const seq = Number(line.slice(2, sp))
      if (sp < 0 || !Number.isInteger(seq)) fail(name, lineNo, 'block line is not "B <seq> <base64>"')
      r.block(seq, line.slice(sp + 1), lineNo)
    } else if (kind === LINE_END && line[1] === ' ') r.end(Number(line.slice(2)), lineNo)
    else fail(name, lineNo, `unexpected line starting "${line.slice(0, 12)}"`)
  }
  return r.finish()
}
