// Thresholds and the node budget, keeping the graph connected. gprof2dot drops nodes and
// edges and leaves islands; here a dropped node is eliminated like a vertex in a sparse
// solve: each caller u gets an aggregate edge to each callee v, weighted by the share of
// the flow through the dropped node (w(u→d)·w(d→v)/ACC(d) ≤ min of both), drawn dashed.
// Then every kept node that no kept root reaches is tied to its nearest kept ancestor on
// the widest (max-bottleneck) path from a root, so nothing floats free.
import type { CallGraph, CallGraphEdge, CallGraphNode } from '../model/call-graph'
import { edgeValue, type Metric, metricTotal, nodeValue } from './shape-options'
import { widestPathTree } from './widest-path'

export interface BudgetOptions {
  nodeThres: number
  edgeThres: number
  budget: number
  /** At most this many edges before reconnection (default 3 per kept node): dot's layout time grows with edges. */
  edgeBudget?: number
  metric: Metric
}

interface Link { solid: number; elided: number; calls: number | null }

export function keepWithinBudget(g: CallGraph, selected: Uint8Array, o: BudgetOptions): CallGraph {
  const total = metricTotal(g, o.metric)
  const nodeMin = (total * o.nodeThres) / 100, edgeMin = (total * o.edgeThres) / 100
  const value = (n: CallGraphNode) => nodeValue(n, o.metric)
  let kept = g.nodes.filter((n) => selected[n.id] && value(n) >= nodeMin && value(n) > 0)
  kept.sort((a, b) => value(b) - value(a) || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
  if (o.budget > 0 && kept.length > o.budget) kept = kept.slice(0, o.budget)
  const keep = new Uint8Array(g.nodes.length)
  for (const n of kept) keep[n.id] = 1

  // Working adjacency over selected nodes: out[u] / in[v] map the other end to a Link.
  const out = new Map<number, Map<number, Link>>(), inn = new Map<number, Map<number, Link>>()
  const link = (u: number, v: number): Link => {
    let m = out.get(u); if (!m) out.set(u, (m = new Map()))
    let l = m.get(v)
    if (!l) {
      l = { solid: 0, elided: 0, calls: null }; m.set(v, l)
      let r = inn.get(v); if (!r) inn.set(v, (r = new Map())); r.set(u, l)
    }
    return l
  }
  // A dropped node without callers or without callees can never pass flow on: eliminating
  // others only adds edges u→v where u already had a callee and v a caller. So it and its
  // edges leave at once, before any per-node work (10^6 leaf functions cost one pass).
  const hasIn = new Uint8Array(g.nodes.length), hasOut = new Uint8Array(g.nodes.length)
  for (const e of g.edges) {
    if (!selected[e.caller] || !selected[e.callee] || e.caller === e.callee) continue
    hasOut[e.caller] = 1; hasIn[e.callee] = 1
  }
  const inert = (v: number) => !keep[v] && (!hasIn[v] || !hasOut[v])
  const orig = new Map<number, CallGraphEdge>()
  for (const e of g.edges) {
    if (!selected[e.caller] || !selected[e.callee] || inert(e.caller) || inert(e.callee)) continue
    const l = link(e.caller, e.callee)
    l.solid += edgeValue(e, o.metric); l.calls = e.calls
    orig.set(e.caller * 0x100000000 + e.callee, e)
  }
  const dropped = g.nodes.filter((n) => selected[n.id] && !keep[n.id] && !inert(n.id)).sort((a, b) => value(a) - value(b))
  for (const d of dropped) {
    const ins = [...(inn.get(d.id) ?? [])].filter(([u, l]) => u !== d.id && l.solid + l.elided >= edgeMin)
    const outs = [...(out.get(d.id) ?? [])].filter(([v, l]) => v !== d.id && l.solid + l.elided >= edgeMin)
    const through = Math.max(value(d), 1e-300)
    for (const [u, li] of ins) {
      for (const [v, lo] of outs) {
        if (u === v) continue
        const w = ((li.solid + li.elided) * (lo.solid + lo.elided)) / through
        if (w >= edgeMin) link(u, v).elided += Math.min(w, li.solid + li.elided, lo.solid + lo.elided)
      }
    }
    for (const [u] of inn.get(d.id) ?? []) out.get(u)?.delete(d.id)
    for (const [v] of out.get(d.id) ?? []) inn.get(v)?.delete(d.id)
    out.delete(d.id); inn.delete(d.id)
  }

  const edges: CallGraphEdge[] = []
  for (const [u, m] of out) {
    for (const [v, l] of m) {
      const e = orig.get(u * 0x100000000 + v)
      if (e && l.solid >= edgeMin && l.solid > 0) edges.push({ ...e })
      if (l.elided >= edgeMin && l.elided > 0) edges.push({ caller: u, callee: v, weight: l.elided, calls: null, elided: true })
    }
  }
  const maxEdges = o.edgeBudget ?? 3 * kept.length
  if (maxEdges > 0 && edges.length > maxEdges) {
    edges.sort((a, b) => edgeValue(b, o.metric) - edgeValue(a, o.metric) || a.caller - b.caller || a.callee - b.callee || Number(!!a.elided) - Number(!!b.elided))
    edges.length = maxEdges
  }
  connect(g, selected, keep, edges, o.metric)
  return renumber(g, kept, edges, o.metric)
}

/** Ties every kept node no kept root reaches to its nearest kept ancestor on the widest path. */
function connect(g: CallGraph, selected: Uint8Array, keep: Uint8Array, edges: CallGraphEdge[], metric: Metric): void {
  const reached = new Uint8Array(g.nodes.length)
  const out = new Map<number, number[]>()
  for (const e of edges) (out.get(e.caller) ?? out.set(e.caller, []).get(e.caller)!).push(e.callee)
  const flood = (s: number) => {
    const todo = [s]; reached[s] = 1
    while (todo.length) for (const w of out.get(todo.pop()!) ?? []) if (!reached[w]) { reached[w] = 1; todo.push(w) }
  }
  // The widest-path tree (a pass over the whole graph) only when a kept node is left unreached;
  // flooding from the kept roots first leaves what the tree order would flood anyway.
  const probe = new Uint8Array(g.nodes.length)
  const floodInto = (s: number) => { const todo = [s]; probe[s] = 1; while (todo.length) for (const w of out.get(todo.pop()!) ?? []) if (!probe[w]) { probe[w] = 1; todo.push(w) } }
  for (const n of g.nodes) if (keep[n.id] && n.isRoot && !probe[n.id]) floodInto(n.id)
  if (g.nodes.every((n) => !keep[n.id] || probe[n.id])) return
  const { parent, bottleneck, order } = widestPathTree(g, selected, metric)
  for (const v of order) {
    if (!keep[v] || reached[v]) continue
    let a = parent[v]
    while (a >= 0 && !keep[a]) a = parent[a]
    if (a >= 0) {
      const direct = parent[v] === a
      const e = direct ? g.edges.find((x) => x.caller === a && x.callee === v) : undefined
      const added = e ? { ...e } : { caller: a, callee: v, weight: bottleneck[v], calls: null, elided: true }
      edges.push(added)
      ;(out.get(a) ?? out.set(a, []).get(a)!).push(v)
    }
    flood(v)
  }
}

function renumber(g: CallGraph, kept: CallGraphNode[], edges: CallGraphEdge[], metric: Metric): CallGraph {
  const order = [...kept].sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
  const id = new Map(order.map((n, i) => [n.id, i]))
  const nodes = order.map((n, i) => ({ ...n, id: i }))
  const seen = new Set<string>()
  const es = edges
    .map((e) => ({ ...e, caller: id.get(e.caller)!, callee: id.get(e.callee)! }))
    .filter((e) => {
      const k = `${e.caller}>${e.callee}>${e.elided ? 1 : 0}`
      if (seen.has(k)) return false
      seen.add(k); return true
    })
    .sort((a, b) => a.caller - b.caller || a.callee - b.callee || Number(!!a.elided) - Number(!!b.elided))
  return { ...g, nodes, edges: es, meta: { ...g.meta, metric, nodesShown: nodes.length, nodesDropped: g.nodes.length - nodes.length } }
}
