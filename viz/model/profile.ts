// The one profile model. Importers build it, the call graph is derived from it, writers
// only read what is derived. Two kinds of content, possibly both in one thread:
//  - a calling-context tree (CCT) of stacks with self weight and, where the input knows
//    them, exact call counts per context (sampled stacks, V8 profiles, sonde traces);
//  - an exact call graph given by the producer itself (Erlang fprof, callgrind), where no
//    stacks exist and per-function / per-edge CNT, ACC and OWN come straight from the file.

export type ValueUnit = 'nanoseconds' | 'microseconds' | 'milliseconds' | 'seconds' | 'bytes' | 'samples' | 'calls' | 'none'

/** js: JavaScript; native: C/C++/kernel; pseudo: (idle), (program), (garbage collector), suspend, ...; erlang: an MFA. */
export type FrameKind = 'js' | 'native' | 'pseudo' | 'erlang' | 'other'

export interface FrameInfo {
  name: string
  file?: string
  line?: number
  column?: number
  /** Module, library or Erlang module; used for per-module hue. */
  module?: string
  kind?: FrameKind
}

export interface Frame extends FrameInfo {
  id: number
  /** Identity of the frame: two frames with the same key are the same function. */
  key: string
  kind: FrameKind
}

const PSEUDO = /^(\((idle|program|garbage collector|root|GC|gc|anonymous root)\)|suspend|garbage_collect|undefined)$/

export function isPseudoName(name: string): boolean {
  return PSEUDO.test(name)
}

export function frameKey(info: FrameInfo): string {
  return `${info.name}\u0000${info.file ?? ''}\u0000${info.line ?? ''}\u0000${info.column ?? ''}`
}

/** Interns frames by key; ids are dense from 0. */
export class FrameTable {
  readonly frames: Frame[] = []
  private readonly byKey = new Map<string, number>()

  intern(info: FrameInfo): number {
    const key = frameKey(info)
    const found = this.byKey.get(key)
    if (found !== undefined) return found
    const id = this.frames.length
    const kind = info.kind ?? (isPseudoName(info.name) ? 'pseudo' : 'other')
    this.frames.push({ ...info, id, key, kind })
    this.byKey.set(key, id)
    return id
  }

  get(id: number): Frame {
    const f = this.frames[id]
    if (!f) throw new RangeError(`no frame ${id}`)
    return f
  }

  get size(): number {
    return this.frames.length
  }
}

/**
 * Calling-context tree. Node 0 is the synthetic root (frame -1). Each other node is one
 * call path root→…→frame. `self` is the weight whose leaf is that node; `calls` is the
 * exact number of calls of that context when the input knows it (else 0 and
 * `hasCalls` false). Arrays, not objects per node, so 10^6 nodes stay cheap; children are
 * found through one hash table of (parent, frame) and kept in insertion order by a
 * first-child/next-sibling list (a Map per node cost ~200 bytes a node: 580 MB RSS for a
 * 40 MB folded file with 1.4 M distinct contexts).
 */
export class CallTree {
  readonly parent: number[] = [-1]
  readonly frame: number[] = [-1]
  readonly self: number[] = [0]
  readonly calls: number[] = [0]
  readonly depth: number[] = [0]
  hasCalls = false
  // Children are found through one open-addressing hash table of (parent, frame) → child
  // in Int32Arrays: ~16 bytes a node, no per-entry objects, no GC pressure.
  private slots = new Int32Array(1 << 12).fill(-1)
  private readonly firstChild: number[] = [-1]
  private readonly lastChild: number[] = [-1]
  private readonly nextSibling: number[] = [-1]

  get size(): number {
    return this.parent.length
  }

  private slotOf(node: number, frameId: number): number {
    const mask = this.slots.length - 1
    let h = (Math.imul(node, 0x9e3779b1) ^ Math.imul(frameId + 1, 0x85ebca77)) & mask
    for (;;) {
      const c = this.slots[h]
      if (c < 0 || (this.parent[c] === node && this.frame[c] === frameId)) return h
      h = (h + 1) & mask
    }
  }

  private grow(): void {
    const old = this.slots
    this.slots = new Int32Array(old.length * 2).fill(-1)
    for (let i = 0; i < old.length; i++) {
      const c = old[i]
      if (c >= 0) this.slots[this.slotOf(this.parent[c], this.frame[c])] = c
    }
  }

  /** The child of `node` for `frameId`, created when missing. */
  child(node: number, frameId: number): number {
    let h = this.slotOf(node, frameId)
    let c = this.slots[h]
    if (c < 0) {
      c = this.parent.length
      this.parent.push(node)
      this.frame.push(frameId)
      this.self.push(0)
      this.calls.push(0)
      this.depth.push(this.depth[node] + 1)
      this.firstChild.push(-1)
      this.lastChild.push(-1)
      this.nextSibling.push(-1)
      if (this.lastChild[node] < 0) this.firstChild[node] = c
      else this.nextSibling[this.lastChild[node]] = c
      this.lastChild[node] = c
      this.slots[h] = c
      if (c * 2 > this.slots.length) this.grow()
    }
    return c
  }

  /** Children in creation order. */
  *children(node: number): Iterable<number> {
    for (let c = this.firstChild[node]; c >= 0; c = this.nextSibling[c]) yield c
  }

  /** Adds `weight` to the leaf of the stack given root-first. Returns the leaf node. */
  addStack(framesRootFirst: ArrayLike<number>, weight: number): number {
    let n = 0
    for (let i = 0; i < framesRootFirst.length; i++) n = this.child(n, framesRootFirst[i])
    this.self[n] += weight
    return n
  }

  /** Inclusive weight per node (self + descendants), computed without recursion. */
  inclusive(): Float64Array {
    const total = Float64Array.from(this.self)
    // Children always have larger ids than their parent: one reverse sweep suffices.
    for (let i = this.size - 1; i > 0; i--) total[this.parent[i]] += total[i]
    return total
  }
}

/** Per-function figures given exactly by the producer (fprof, callgrind). */
export interface ExactFunction {
  frame: number
  /** CNT; null when the producer does not count calls. */
  calls: number | null
  /** OWN. */
  self: number
  /** ACC. */
  total: number
}

/** Per caller→callee figures given exactly by the producer. */
export interface ExactEdge {
  caller: number
  callee: number
  calls: number | null
  /** ACC of the callee when called from this caller. */
  total: number
  /** OWN of the callee when called from this caller, when known. */
  self?: number
}

export interface ExactGraph {
  functions: ExactFunction[]
  edges: ExactEdge[]
  /** The producer's own total (fprof's totals line); defaults to the sum of self. */
  total?: number
  /** The producer's ACC of the whole thread when it prints one (fprof's totals line ACC is
   * the traced wall time; OTP 25 prints `undefined` for a process). */
  acc?: number
}

/** One thread or process of the profile (fprof process, worker thread, perf tid). */
export interface ProfileThread {
  name: string
  tree?: CallTree
  exact?: ExactGraph
  /** Exact per-function call counts known apart from the tree (V8 precise coverage). */
  functionCalls?: Map<number, number>
  /** Start/end on the producer's clock, in `unit` where it is a time unit. */
  startValue?: number
  endValue?: number
}

export interface Profile {
  /** Display name (file name or the producer's title). */
  name: string
  /** Producer format id, e.g. 'cpuprofile', 'folded', 'fprof'. */
  format: string
  unit: ValueUnit
  frames: FrameTable
  threads: ProfileThread[]
  /** Free-form facts from the producer (version, command line, sampling interval). */
  meta: Record<string, string | number>
}

export function createProfile(name: string, format: string, unit: ValueUnit): Profile {
  return { name, format, unit, frames: new FrameTable(), threads: [], meta: {} }
}

/** The error importers raise for input that is their format but malformed. */
export class ParseError extends Error {
  readonly file: string
  readonly line: number | undefined
  readonly reason: string

  constructor(file: string, line: number | undefined, reason: string) {
    super(`${file}${line !== undefined ? `:${line}` : ''}: ${reason}`)
    this.name = 'ParseError'
    this.file = file
    this.line = line
    this.reason = reason
  }
}
