// deriveCallGraph(profile) → CallGraph with fprof semantics:
//  OWN  = weight whose leaf is the function;
//  ACC  = weight of every stack the function is on, charged once per stack at its
//         outermost occurrence (exact under recursion: a↔b on the stack in 9 of 10
//         samples gives 90 %, where gprof2dot's call-ratio propagation gives 0 %);
//  edge = weight of every stack through the caller→callee pair, once per stack;
//  CNT  = the input's exact counts (CallTree.calls, functionCalls, exact graphs).
// Exact graphs (fprof, callgrind) are taken as the producer gave them. Threads are summed
// unless one is chosen. Iterative, typed arrays: a 200 000-frame stack costs no recursion.
import type { CallTree, ExactGraph, Frame, Profile } from '../model/profile'
import { selectThreads } from './select-threads'

export { selectThreads } from './select-threads'
import { type CallGraph, type CallGraphEdge, type CallGraphNode, wholeOf } from '../model/call-graph'

export interface DeriveOptions {
  /** Only these threads / processes (a name or the forms select-threads.ts accepts); default: all merged. */
  thread?: string
}

interface Acc {
  frames: Frame[]
  nodeOf: Int32Array
  nodes: CallGraphNode[]
  /** Edges by caller node id, then callee node id (small-integer keys stay fast). */
  edgesOf: (Map<number, number> | undefined)[]
  /** Every edge; its index is its slot in per-path counters. */
  edges: CallGraphEdge[]
  callsKnown: boolean
}

function nodeFor(a: Acc, frameId: number): CallGraphNode {
  let i = a.nodeOf[frameId]
  if (i < 0) {
    const f = a.frames[frameId]
    i = a.nodes.length
    a.nodeOf[frameId] = i
    a.nodes.push({
      id: i, name: f.name, key: f.key, file: f.file, line: f.line, module: f.module, kind: f.kind,
      self: 0, total: 0, calls: null, isRoot: false,
    })
  }
  return a.nodes[i]
}

/** The slot (index in a.edges) of the caller→callee edge, created when missing. */
function edgeSlot(a: Acc, caller: number, callee: number): number {
  let m = a.edgesOf[caller]
  if (!m) a.edgesOf[caller] = m = new Map()
  let i = m.get(callee)
  if (i === undefined) { i = a.edges.length; a.edges.push({ caller, callee, weight: 0, calls: null }); m.set(callee, i) }
  return i
}

function addTree(a: Acc, tree: CallTree, functionCalls: Map<number, number> | undefined): void {
  const n = tree.size
  const frame = tree.frame, parent = tree.parent, selfCol = tree.self
  const useTreeCalls = tree.hasCalls
  const callsCol = useTreeCalls ? tree.calls : undefined
  for (let v = 1; v < n; v++) nodeFor(a, frame[v])
  const nodeOf = a.nodeOf
  const N = a.nodes.length
  // Edge slots by (caller, callee) node: a dense table when the graph is small enough
  // (the common case, no hashing per CCT node), else the per-caller maps.
  const dense = N * N <= 1 << 22 ? new Int32Array(N * N).fill(-1) : undefined
  const slotFor = (caller: number, callee: number): number => {
    if (!dense) return edgeSlot(a, caller, callee)
    let i = dense[caller * N + callee]
    if (i < 0) dense[caller * N + callee] = i = edgeSlot(a, caller, callee)
    return i
  }
  // One linear pass for what needs no path: OWN, CNT, roots and each context's edge slot.
  const selfN = new Float64Array(N), totalN = new Float64Array(N), callsN = new Float64Array(useTreeCalls ? N : 0)
  const rootN = new Uint8Array(N) // 1: in this tree, 2: and a root
  const slotOf = new Int32Array(n)
  slotOf[0] = -1
  for (let v = 1; v < n; v++) {
    const id = nodeOf[frame[v]]
    selfN[id] += selfCol[v]
    if (callsCol) callsN[id] += callsCol[v]
    const p = parent[v]
    if (p === 0) { rootN[id] = 2; slotOf[v] = -1 } else { slotOf[v] = slotFor(nodeOf[frame[p]], id); if (rootN[id] === 0) rootN[id] = 1 }
  }
  const E = a.edges.length
  const weightE = new Float64Array(E), callsE = new Float64Array(useTreeCalls ? E : 0)
  const inTreeE = new Uint8Array(E)
  for (let v = 1; v < n; v++) {
    const slot = slotOf[v]
    if (slot < 0) continue
    inTreeE[slot] = 1
    if (callsCol) callsE[slot] += callsCol[v]
  }
  // ACC and edge weights need the path: a function (or caller→callee pair) already on the
  // path is a recursive repeat and adds nothing, so each stack counts once.
  const incl = tree.inclusive()
  const { start, list } = tree.childRows()
  const onPath = new Int32Array(N)
  const pairOnPath = new Int32Array(E)
  // Explicit DFS: a positive entry enters a node, its bitwise complement leaves it.
  const stack = new Int32Array(2 * n + 2)
  let sp = 0
  for (let k = start[0]; k < start[1]; k++) stack[sp++] = list[k]
  while (sp > 0) {
    const v = stack[--sp]
    if (v < 0) {
      const w = ~v
      onPath[nodeOf[frame[w]]]--
      if (slotOf[w] >= 0) pairOnPath[slotOf[w]]--
      continue
    }
    const id = nodeOf[frame[v]]
    if (onPath[id]++ === 0) totalN[id] += incl[v]
    const slot = slotOf[v]
    if (slot >= 0 && pairOnPath[slot]++ === 0) weightE[slot] += incl[v]
    stack[sp++] = ~v
    for (let k = start[v]; k < start[v + 1]; k++) stack[sp++] = list[k]
  }
  for (let i = 0; i < N; i++) {
    if (rootN[i] === 0) continue // not in this tree (another thread's function)
    const node = a.nodes[i]
    node.self += selfN[i]
    node.total += totalN[i]
    if (rootN[i] === 2) node.isRoot = true
    if (useTreeCalls) node.calls = (node.calls ?? 0) + callsN[i]
  }
  for (let i = 0; i < E; i++) {
    if (!inTreeE[i]) continue
    const e = a.edges[i]
    e.weight += weightE[i]
    if (useTreeCalls) e.calls = (e.calls ?? 0) + callsE[i]
  }
  if (useTreeCalls) a.callsKnown = true
  if (!useTreeCalls && functionCalls) {
    for (const [frameId, calls] of functionCalls) {
      const node = nodeFor(a, frameId)
      node.calls = (node.calls ?? 0) + calls
    }
    a.callsKnown = true
  }
}

function addExact(a: Acc, g: ExactGraph): void {
  const called = new Set<number>()
  for (const e of g.edges) {
    const caller = nodeFor(a, e.caller).id, callee = nodeFor(a, e.callee).id
    const edge = a.edges[edgeSlot(a, caller, callee)]
    edge.weight += e.total
    if (e.calls !== null) edge.calls = (edge.calls ?? 0) + e.calls
    if (e.caller !== e.callee) called.add(e.callee)
  }
  for (const f of g.functions) {
    const node = nodeFor(a, f.frame)
    node.self += f.self
    node.total += f.total
    if (f.calls !== null) { node.calls = (node.calls ?? 0) + f.calls; a.callsKnown = true }
    if (!called.has(f.frame)) node.isRoot = true
  }
}

export function deriveCallGraph(profile: Profile, opts: DeriveOptions = {}): CallGraph {
  const frames = profile.frames.frames
  const a: Acc = { frames, nodeOf: new Int32Array(frames.length).fill(-1), nodes: [], edgesOf: [], edges: [], callsKnown: false }
  const threads = selectThreads(profile, opts.thread)
  let producerTotal: number | undefined
  // The producers' call totals count only when every thread has one (fprof's totals CNT is
  // there even with {details, false}, where no function lines are).
  let producerCalls: number | undefined = threads.length ? 0 : undefined
  for (const t of threads) {
    if (t.tree) addTree(a, t.tree, t.functionCalls)
    if (t.exact) {
      addExact(a, t.exact)
      if (t.exact.total !== undefined) producerTotal = (producerTotal ?? 0) + t.exact.total
    }
    producerCalls = t.exact?.calls !== undefined && !t.tree && producerCalls !== undefined ? producerCalls + t.exact.calls : undefined
  }
  let total = 0, nodeCalls = 0
  for (const n of a.nodes) { total += n.self; nodeCalls += n.calls ?? 0 }
  const totalCalls = producerCalls ?? (a.callsKnown ? nodeCalls : null)
  const edges = a.edges.filter((e) => e.weight > 0 || (e.calls ?? 0) > 0)
  const meta: Record<string, string | number> = { ...profile.meta }
  if (producerTotal !== undefined) meta.producerTotal = producerTotal
  if (opts.thread !== undefined) meta.thread = opts.thread
  const whole = wholeOf(a.nodes, total, producerTotal)
  return { name: profile.name, unit: profile.unit, total, whole, nodes: a.nodes, edges, hasCalls: a.callsKnown, totalCalls, meta }
}
