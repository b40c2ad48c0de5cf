// The one profile model. Importers build it, the call graph is derived from it, writers
// only read what is derived. Two kinds of content, possibly both in one thread:
//  - a calling-context tree (CCT) of stacks with self weight and, where the input knows
//    them, exact call counts per context (sampled stacks, V8 profiles, sonde traces);
//  - an exact call graph given by the producer itself (Erlang fprof, callgrind), where no
//    stacks exist and per-function / per-edge CNT, ACC and OWN come straight from the file.

export type ValueUnit = 'nanoseconds' | 'microseconds' | 'milliseconds' | 'seconds' | 'bytes' | 'samples' | 'calls' | 'none'

export { type FrameKind, type FrameInfo, type Frame, isPseudoName, frameKey, FrameTable } from './frames'
import { FrameTable } from './frames'

/**
 * Calling-context tree. Node 0 is the synthetic root (frame -1). Each other node is one
 * call path root→…→frame. `self` is the weight whose leaf is that node; `calls` is the
 * exact number of calls of that context when the input knows it (meaningful only when
 * `hasCalls`). Columns are typed arrays grown by doubling, not objects per node: a node
 * costs 16 bytes (parent, frame: Int32; self: Float64) + 8 for `calls` when used + ~8-16 of
 * hash slots. The arrays' length is their capacity: read only indices below `size`, and
 * re-read the property after `child()` (growth replaces the array).
 * (History: a Map per node cost ~200 B a node, 580 MB RSS for 1.4 M contexts; number[]
 * columns + sibling lists ~110 B a node, 661 MB RSS for 3.66 M contexts.)
 */
export class CallTree {
  hasCalls = false
  private n = 1
  private _parent: Int32Array
  private _frame: Int32Array
  private _self: Float64Array
  private _calls: Float64Array | undefined
  // Children are found through one open-addressing hash table of (parent, frame) → child;
  // load ≤ 1/2. Children lists for iteration are built on demand (ids grow with creation,
  // so a counting sort by parent keeps creation order).
  private slots = new Int32Array(1 << 12).fill(-1)
  private rows: { size: number; start: Int32Array; list: Int32Array } | undefined

  constructor(capacity = 1024) {
    const cap = Math.max(2, capacity)
    this._parent = new Int32Array(cap)
    this._frame = new Int32Array(cap)
    this._self = new Float64Array(cap)
    this._parent[0] = -1
    this._frame[0] = -1
  }

  get size(): number { return this.n }
  /** Parent node per node (-1 for the root). */
  get parent(): Int32Array { return this._parent }
  /** Frame id per node (-1 for the root). */
  get frame(): Int32Array { return this._frame }
  /** Self weight per node. */
  get self(): Float64Array { return this._self }
  /** Exact calls per node; allocated on first use. */
  get calls(): Float64Array { return (this._calls ??= new Float64Array(this._parent.length)) }

  /** Depth of a node (root 0), by walking its parents. */
  depthOf(node: number): number {
    let d = 0
    for (let v = node; v > 0; v = this._parent[v]) d++
    return d
  }

  private slotOf(node: number, frameId: number): number {
    const mask = this.slots.length - 1
    const parent = this._parent, frame = this._frame, slots = this.slots
    let h = (Math.imul(node, 0x9e3779b1) ^ Math.imul(frameId + 1, 0x85ebca77)) & mask
    for (;;) {
      const c = slots[h]
      if (c < 0 || (parent[c] === node && frame[c] === frameId)) return h
      h = (h + 1) & mask
    }
  }

  private growSlots(): void {
    this.slots = new Int32Array(this.slots.length * 2).fill(-1)
    // Re-insert by node id: the columns are read in order, not at the old slots' random ids.
    for (let c = 1; c < this.n; c++) this.slots[this.slotOf(this._parent[c], this._frame[c])] = c
  }

  private growColumns(): void {
    const cap = this._parent.length * 2
    const grow = <T extends Int32Array | Float64Array>(a: T, make: (n: number) => T): T => { const b = make(cap); b.set(a); return b }
    this._parent = grow(this._parent, (k) => new Int32Array(k))
    this._frame = grow(this._frame, (k) => new Int32Array(k))
    this._self = grow(this._self, (k) => new Float64Array(k))
    if (this._calls) this._calls = grow(this._calls, (k) => new Float64Array(k))
  }

  /** The child of `node` for `frameId`, created when missing. */
  child(node: number, frameId: number): number {
    const h = this.slotOf(node, frameId)
    let c = this.slots[h]
    if (c < 0) {
      c = this.n++
      if (c >= this._parent.length) this.growColumns()
      this._parent[c] = node
      this._frame[c] = frameId
      this.slots[h] = c
      if (c * 2 > this.slots.length) this.growSlots()
    }
    return c
  }

  /** Children of every node in compressed rows: node v's children, in creation order,
   * are list[start[v]] … list[start[v + 1] - 1]. Built on demand, cached until the tree grows. */
  childRows(): { start: Int32Array; list: Int32Array } {
    let r = this.rows
    if (!r || r.size !== this.n) {
      const n = this.n, parent = this._parent
      const start = new Int32Array(n + 1)
      for (let i = 1; i < n; i++) start[parent[i] + 1]++
      for (let i = 0; i < n; i++) start[i + 1] += start[i]
      const list = new Int32Array(Math.max(n - 1, 0))
      for (let i = 1; i < n; i++) list[start[parent[i]]++] = i
      // Filling moved start[p] to the end of p's row, the start of row p + 1: shift back.
      for (let i = n; i > 0; i--) start[i] = start[i - 1]
      start[0] = 0
      this.rows = r = { size: n, start, list }
    }
    return r
  }

  /** Children in creation order. */
  *children(node: number): Iterable<number> {
    const { start, list } = this.childRows()
    for (let k = start[node]; k < start[node + 1]; k++) yield list[k]
  }

  /** Adds `weight` to the leaf of the stack given root-first. Returns the leaf node. */
  addStack(framesRootFirst: ArrayLike<number>, weight: number): number {
    let n = 0
    for (let i = 0; i < framesRootFirst.length; i++) n = this.child(n, framesRootFirst[i])
    this._self[n] += weight
    return n
  }

  /** Inclusive weight per node (self + descendants), computed without recursion. */
  inclusive(): Float64Array {
    const total = this._self.slice(0, this.n)
    const parent = this._parent
    // Children always have larger ids than their parent: one reverse sweep suffices.
    for (let i = this.n - 1; i > 0; i--) total[parent[i]] += total[i]
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
  /** The producer's own total call count (fprof's totals line CNT), when it prints one. */
  calls?: number
  /** The producer's ACC of the whole thread when it prints one (fprof's totals line ACC is
   * the traced wall time; OTP 25 prints `undefined` for a process). */
  acc?: number
}

/** Samples in the order they were taken: sample i has leaf node `leaf[i]`, weight `weight[i]`. */
export interface SampleSequence { leaf: Int32Array; weight: Float64Array; exact?: boolean }

/** One thread or process of the profile (fprof process, worker thread, perf tid). */
export interface ProfileThread {
  name: string
  tree?: CallTree
  exact?: ExactGraph
  /** The samples in time order (leaf tree node, weight) where the input keeps them: V8 CPU
   * profiles; `exact` slices of running time for traces. Node ids index `tree`: a transform
   * that rebuilds the tree must rebuild or drop this. */
  samples?: SampleSequence
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
  /** The format whose importer failed, when the message names it ("perf script"). */
  readonly format: string | undefined

  constructor(file: string, line: number | undefined, reason: string, format?: string) {
    super(format !== undefined
      ? `${file}: ${format}: ${line !== undefined ? `line ${line}: ` : ''}${reason}`
      : `${file}${line !== undefined ? `:${line}` : ''}: ${reason}`)
    this.name = 'ParseError'
    this.file = file
    this.line = line
    this.reason = reason
    this.format = format
  }
}

export { literal, OptionError } from './option-error'
