// --ignore, --hide and --hide-pseudo, applied where the facts are exact:
//  - on stacks (calling-context trees), before derivation: an ignored frame drops its whole
//    subtree; a hidden frame disappears from the path and its OWN goes to its caller;
//  - on exact graphs (no stacks), on the derived graph: a hidden node's OWN and its
//    out-edges are shared among its callers in proportion to their edge weight; an ignored
//    node is removed with what is reachable only through it.
import { CallTree, type Profile, type SampleSequence } from '../model/profile'
import { type CallGraph, type CallGraphEdge, wholeOf } from '../model/call-graph'

export interface FramePruning {
  ignore?: RegExp
  hide?: RegExp
  hidePseudo?: boolean
}

export function hasPruning(o: FramePruning): boolean {
  return !!(o.ignore || o.hide || o.hidePseudo)
}

/** A copy of the profile whose trees have ignored subtrees dropped and hidden frames removed. */
export function pruneProfileFrames(p: Profile, o: FramePruning): Profile {
  const frames = p.frames.frames
  const verdict = new Int8Array(frames.length) // 0 keep, 1 hide, 2 ignore
  for (const f of frames) {
    if (o.ignore && o.ignore.test(f.name)) verdict[f.id] = 2
    else if ((o.hide && o.hide.test(f.name)) || (o.hidePseudo && f.kind === 'pseudo')) verdict[f.id] = 1
  }
  const threads = p.threads.map((t) => {
    if (!t.tree) return t
    const src = t.tree
    const dst = new CallTree()
    dst.hasCalls = src.hasCalls
    const map = new Int32Array(src.size)
    map[0] = 0
    for (let v = 1; v < src.size; v++) {
      const up = map[src.parent[v]]
      const f = src.frame[v]
      if (up < 0 || verdict[f] === 2) { map[v] = -1; continue }
      const n = verdict[f] === 1 ? up : dst.child(up, f)
      map[v] = n
      if (n === 0) continue // hidden at the top: no caller to charge
      dst.self[n] += src.self[v]
      if (src.hasCalls && verdict[f] !== 1) dst.calls[n] += src.calls[v]
    }
    return { ...t, tree: dst, samples: t.samples && remapSamples(t.samples, map) }
  })
  return { ...p, threads }
}

/** The time-ordered samples on the pruned tree; samples in dropped subtrees are dropped. */
function remapSamples(s: SampleSequence, map: Int32Array): SampleSequence {
  const keep: number[] = []
  for (let i = 0; i < s.leaf.length; i++) if (map[s.leaf[i]] > 0) keep.push(i)
  return { leaf: Int32Array.from(keep, (i) => map[s.leaf[i]]), weight: Float64Array.from(keep, (i) => s.weight[i]) }
}

/** The same pruning on a derived graph, for exact graphs that have no stacks. */
export function pruneGraphFrames(g: CallGraph, o: FramePruning): CallGraph {
  const hide = (i: number) => (o.hide && o.hide.test(g.nodes[i].name)) || (o.hidePseudo && g.nodes[i].kind === 'pseudo')
  const ignored = new Set<number>()
  for (const n of g.nodes) if (o.ignore && o.ignore.test(n.name)) ignored.add(n.id)
  // Reachable from a root without passing an ignored node.
  const out = new Map<number, CallGraphEdge[]>()
  for (const e of g.edges) (out.get(e.caller) ?? out.set(e.caller, []).get(e.caller)!).push(e)
  const alive = new Set<number>()
  const todo = g.nodes.filter((n) => n.isRoot && !ignored.has(n.id)).map((n) => n.id)
  if (ignored.size === 0) g.nodes.forEach((n) => alive.add(n.id))
  for (const r of todo) alive.add(r)
  while (ignored.size && todo.length) {
    for (const e of out.get(todo.pop()!) ?? []) if (!ignored.has(e.callee) && !alive.has(e.callee)) { alive.add(e.callee); todo.push(e.callee) }
  }
  const nodes = g.nodes.filter((n) => alive.has(n.id)).map((n) => ({ ...n }))
  const byOld = new Map(nodes.map((n) => [n.id, n]))
  let edges = g.edges.filter((e) => alive.has(e.caller) && alive.has(e.callee)).map((e) => ({ ...e }))
  for (const n of [...nodes]) {
    if (!hide(n.id)) continue
    const ins = edges.filter((e) => e.callee === n.id && e.caller !== n.id)
    const outs = edges.filter((e) => e.caller === n.id && e.callee !== n.id)
    const sumIn = ins.reduce((s, e) => s + e.weight, 0)
    edges = edges.filter((e) => e.caller !== n.id && e.callee !== n.id)
    for (const i of ins) {
      const share = sumIn > 0 ? i.weight / sumIn : 1 / ins.length
      byOld.get(i.caller)!.self += n.self * share
      for (const x of outs) edges.push({ caller: i.caller, callee: x.callee, weight: x.weight * share, calls: x.calls === null ? null : Math.round(x.calls * share) })
    }
    if (ins.length === 0) for (const x of outs) byOld.get(x.callee)!.isRoot = true
    byOld.delete(n.id)
  }
  const kept = [...byOld.values()]
  const renum = new Map(kept.map((n, i) => [n.id, i]))
  const merged = new Map<number, CallGraphEdge>()
  for (const e of edges) {
    const a = renum.get(e.caller)!, b = renum.get(e.callee)!
    const k = a * 0x100000000 + b
    const m = merged.get(k)
    if (m) { m.weight += e.weight; m.calls = m.calls === null || e.calls === null ? m.calls ?? e.calls : m.calls + e.calls }
    else merged.set(k, { ...e, caller: a, callee: b })
  }
  kept.forEach((n, i) => { n.id = i })
  const total = kept.reduce((s, n) => s + n.self, 0)
  return { ...g, nodes: kept, edges: [...merged.values()], total, whole: wholeOf(kept, total) }
}
