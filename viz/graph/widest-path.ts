// The widest-path (max-bottleneck) tree from the roots: for each function, the caller
// through which the heaviest chain of calls reaches it. Used to reconnect kept nodes
// across dropped ones. Dijkstra with a binary max-heap; `order` is the finishing order,
// so a node's tree parent always comes before it.
import type { CallGraph } from '../model/call-graph'
import { edgeValue, type Metric, nodeValue } from './shape-options'

export interface WidestPathTree {
  parent: Int32Array
  bottleneck: Float64Array
  order: number[]
}

export function widestPathTree(g: CallGraph, selected: Uint8Array, metric: Metric): WidestPathTree {
  const n = g.nodes.length
  const parent = new Int32Array(n).fill(-1)
  const best = new Float64Array(n).fill(-1)
  const done = new Uint8Array(n)
  const out: number[][] = g.nodes.map(() => [])
  g.edges.forEach((e, i) => { if (selected[e.caller] && selected[e.callee]) out[e.caller].push(i) })
  const heap: [number, number][] = []
  const push = (w: number, v: number) => {
    heap.push([w, v])
    for (let i = heap.length - 1; i > 0;) {
      const p = (i - 1) >> 1
      if (heap[p][0] >= heap[i][0]) break
      ;[heap[p], heap[i]] = [heap[i], heap[p]]; i = p
    }
  }
  const pop = (): [number, number] => {
    const top = heap[0], last = heap.pop()!
    if (heap.length) {
      heap[0] = last
      for (let i = 0; ;) {
        const l = 2 * i + 1, r = l + 1
        let m = i
        if (l < heap.length && heap[l][0] > heap[m][0]) m = l
        if (r < heap.length && heap[r][0] > heap[m][0]) m = r
        if (m === i) break
        ;[heap[m], heap[i]] = [heap[i], heap[m]]; i = m
      }
    }
    return top
  }
  const seed = (v: number) => { best[v] = nodeValue(g.nodes[v], metric); push(best[v], v) }
  for (const node of g.nodes) if (selected[node.id] && node.isRoot) seed(node.id)
  const order: number[] = []
  for (;;) {
    if (!heap.length) {
      // Cycles with no root (exact graphs of pure recursion): start from the heaviest left.
      let pick = -1
      for (const node of g.nodes) if (selected[node.id] && !done[node.id] && (pick < 0 || nodeValue(node, metric) > nodeValue(g.nodes[pick], metric))) pick = node.id
      if (pick < 0) break
      seed(pick)
    }
    const [w, v] = pop()
    if (done[v] || w < best[v]) continue
    done[v] = 1
    order.push(v)
    for (const ei of out[v]) {
      const e = g.edges[ei]
      const b = Math.min(w, edgeValue(e, metric))
      if (!done[e.callee] && b > best[e.callee]) { best[e.callee] = b; parent[e.callee] = v; push(b, e.callee) }
    }
  }
  return { parent, bottleneck: best, order }
}
