// Stacks estimated from an exact call graph (Erlang fprof, callgrind), for views that need a
// calling-context tree — the flame graph. An exact graph knows per caller→callee pair how
// much ACC flowed, not through which deeper path; the estimate makes gprof's assumption
// instead: a function's ACC in any context splits between its OWN and its callees in the
// proportions of its whole-run figures. From each entry function, context weight W becomes
// W·OWN/D own time and W·edge/D per callee, D = max(ACC, OWN + Σ out-edges). A callee
// already on the path (recursion) is not expanded: its share is left out. Contexts lighter
// than `minWeight` are not expanded, and at most `maxNodes` are made.
import { CallTree, createProfile, type Profile } from '../model/profile'
import type { CallGraph } from '../model/call-graph'

export interface EstimateOptions {
  /** Contexts below this weight are not expanded (default: 1e-4 of the graph's whole). */
  minWeight?: number
  maxNodes?: number
}

/** A profile with one thread whose tree is the estimate; `meta.estimatedStacks` = 1. */
export function estimateStacks(g: CallGraph, o: EstimateOptions = {}): Profile {
  const p = createProfile(g.name, 'estimated', g.unit)
  p.meta.estimatedStacks = 1
  const frame = g.nodes.map((n) => {
    const info: Parameters<typeof p.frames.intern>[0] = { name: n.name, kind: n.kind }
    if (n.file !== undefined) info.file = n.file
    if (n.line !== undefined) info.line = n.line
    if (n.module !== undefined) info.module = n.module
    return p.frames.intern(info)
  })
  const out = g.nodes.map(() => [] as { callee: number; weight: number }[])
  for (const e of g.edges) if (!e.elided && e.caller !== e.callee) out[e.caller].push({ callee: e.callee, weight: e.weight })
  const minWeight = o.minWeight ?? g.whole * 1e-4
  const maxNodes = o.maxNodes ?? 200_000
  const tree = new CallTree()
  const fnOf: number[] = [-1] // graph node of each tree node
  const todo: [number, number][] = [] // [tree node, context weight]
  // D per function; an entry's context weight is its D (fprof's entry, the process, has ACC 0).
  const denom = g.nodes.map((n) => Math.max(n.total, n.self + out[n.id].reduce((s, e) => s + e.weight, 0)))
  for (const n of g.nodes) {
    if (!n.isRoot || !(denom[n.id] > 0)) continue
    const t = tree.child(0, frame[n.id])
    fnOf[t] = n.id
    todo.push([t, denom[n.id]])
  }
  while (todo.length) {
    const [t, w] = todo.pop()!
    const f = g.nodes[fnOf[t]]
    const d = denom[f.id]
    if (!(d > 0)) continue
    tree.self[t] += (w * f.self) / d
    for (const e of out[f.id]) {
      const cw = (w * e.weight) / d
      if (!(cw >= minWeight) || tree.size >= maxNodes || onPath(tree, fnOf, t, e.callee)) continue
      const c = tree.child(t, frame[e.callee])
      fnOf[c] = e.callee
      todo.push([c, cw])
    }
  }
  p.threads.push({ name: 'estimated', tree })
  return p
}

function onPath(tree: CallTree, fnOf: number[], node: number, fn: number): boolean {
  for (let v = node; v > 0; v = tree.parent[v]) if (fnOf[v] === fn) return true
  return false
}
