// Which functions a view is about: focus (matches with all their callers and callees),
// root (matches and their callees), leaf (matches and their callers), depth (calls
// away from the roots), and invert (callees point at callers). Graph walks are
// iterative; a regex that matches nothing is an error naming the option.
import { adjacency, type CallGraph } from '../model/call-graph'
import { literal, OptionError } from '../model/profile'

export interface Selection {
  focus?: RegExp
  root?: RegExp
  leaf?: RegExp
  depth?: number
}

/** A function matches by its name, or by "name file:line" (what tells two `(anonymous)` apart). */
function matches(g: CallGraph, re: RegExp, option: string): number[] {
  const ids = g.nodes.filter((n) => re.test(n.name) || (n.file !== undefined && re.test(`${n.name} ${n.file}${n.line !== undefined ? `:${n.line}` : ''}`))).map((n) => n.id)
  if (ids.length === 0) throw new OptionError(`{${option}} ${literal(re.source)}: matches no function`)
  return ids
}

/** Nodes reachable from `from` following out-edges (down) or in-edges (up), at most `maxDepth` steps. */
export function reach(g: CallGraph, from: number[], down: boolean, within?: Uint8Array, maxDepth = Infinity): Uint8Array {
  const adj = adjacency(g)
  const seen = new Uint8Array(g.nodes.length)
  let frontier = from.filter((i) => !within || within[i])
  for (const i of frontier) seen[i] = 1
  for (let d = 0; frontier.length && d < maxDepth; d++) {
    const next: number[] = []
    for (const v of frontier) {
      for (const ei of (down ? adj.out : adj.in)[v]) {
        const e = g.edges[ei]
        const w = down ? e.callee : e.caller
        if (!seen[w] && (!within || within[w])) { seen[w] = 1; next.push(w) }
      }
    }
    frontier = next
  }
  return seen
}

export function selectNodes(g: CallGraph, o: Selection): Uint8Array {
  const sel = new Uint8Array(g.nodes.length).fill(1)
  const and = (m: Uint8Array) => { for (let i = 0; i < sel.length; i++) sel[i] &= m[i] }
  if (o.focus) {
    const m = matches(g, o.focus, 'focus')
    const up = reach(g, m, false), down = reach(g, m, true)
    and(up.map((v, i) => v | down[i]))
  }
  let starts: number[] | undefined
  if (o.root) { starts = matches(g, o.root, 'root'); and(reach(g, starts, true)) }
  if (o.leaf) and(reach(g, matches(g, o.leaf, 'leaf'), false))
  if (o.depth !== undefined) {
    const from = starts ?? g.nodes.filter((n) => n.isRoot).map((n) => n.id)
    and(reach(g, from, true, sel, o.depth))
  }
  return sel
}

/** Callers ← callees: every edge reversed; roots become the functions that call nothing. */
export function invertGraph(g: CallGraph): CallGraph {
  const callsOut = new Uint8Array(g.nodes.length)
  for (const e of g.edges) if (e.caller !== e.callee) callsOut[e.caller] = 1
  const nodes = g.nodes.map((n) => ({ ...n, isRoot: !callsOut[n.id] }))
  const edges = g.edges.map((e) => ({ ...e, caller: e.callee, callee: e.caller }))
  return { ...g, nodes, edges, meta: { ...g.meta, inverted: 'yes' } }
}
