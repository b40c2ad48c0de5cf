// The derived call graph: per function CNT / ACC / OWN and per caller→callee edge weight
// and calls, in the profile's unit. Built once by deriveCallGraph(); shaping and every
// writer only read it (shaping returns a new, smaller graph of the same shape).
import type { FrameKind, ValueUnit } from './profile'

export interface CallGraphNode {
  /** Dense index in `nodes`. */
  id: number
  name: string
  /** Frame identity (name, file, line, column), stable across profiles: used by --diff. */
  key: string
  file?: string
  line?: number
  module?: string
  kind: FrameKind
  /** OWN: weight with this function at the top of the stack. */
  self: number
  /** ACC: weight of the stacks this function is on, each stack counted once. */
  total: number
  /** CNT, or null when the input does not count calls. */
  calls: number | null
  /** The function is the outermost frame of some stack (or an exact graph's entry). */
  isRoot: boolean
}

export interface CallGraphEdge {
  caller: number
  callee: number
  /** ACC flowing through this caller→callee pair, each stack counted once. */
  weight: number
  calls: number | null
  /** An aggregate of paths through elided nodes (drawn dashed); weight is an estimate. */
  elided?: boolean
}

export interface CallGraph {
  name: string
  unit: ValueUnit
  /** Sum of all OWN. */
  total: number
  /**
   * The 100 % of labels and thresholds: the sum of OWN, or more where an exact producer's
   * ACC exceeds it (fprof's ACC includes time suspended, so ACC > ΣOWN is normal there).
   * For stack profiles ACC ≤ ΣOWN always, so this equals `total`.
   */
  whole: number
  nodes: CallGraphNode[]
  edges: CallGraphEdge[]
  /** True when CNT figures come from the input (CallTree.calls, functionCalls, exact graphs). */
  hasCalls: boolean
  /** Σ CNT over every function before shaping (fprof: the totals line's CNT); null without counts. */
  totalCalls: number | null
  /** Figures for nodes dropped by shaping still count in `total` (percentages stay of the whole). */
  meta: Record<string, string | number>
}

/** The 100 % of a graph: ΣOWN, the producer's total, or the largest non-pseudo ACC. */
export function wholeOf(nodes: CallGraphNode[], total: number, producerTotal = 0): number {
  let w = Math.max(total, producerTotal)
  for (const n of nodes) if (n.kind !== 'pseudo' && n.total > w) w = n.total
  return w
}

/** Out- and in-adjacency by node id, for traversals. Built on demand; cheap. */
export interface Adjacency {
  out: number[][]
  in: number[][]
}

export function adjacency(g: CallGraph): Adjacency {
  const out: number[][] = g.nodes.map(() => [])
  const inn: number[][] = g.nodes.map(() => [])
  g.edges.forEach((e, i) => { out[e.caller].push(i); inn[e.callee].push(i) })
  return { out, in: inn }
}
