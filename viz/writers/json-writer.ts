// toJson(graph) → the computed call graph as data:
// {unit, total, nodes:[{id,name,self,total,calls}], edges:[{caller,callee,weight,calls}]}
// `self`/`total` in the profile's unit; top-level `total` is the sum of all OWN of the
// whole profile (shaping drops nodes, never the 100 %). Extra fields (file, line, kind,
// elided) are present only when they carry information.
import type { CallGraph } from '../model/call-graph'

export interface JsonCallGraph {
  name: string
  unit: string
  total: number
  nodes: { id: number; name: string; self: number; total: number; calls: number | null; file?: string; line?: number; kind?: string }[]
  edges: { caller: number; callee: number; weight: number; calls: number | null; elided?: true }[]
}

export function toJsonGraph(g: CallGraph): JsonCallGraph {
  return {
    name: g.name,
    unit: g.unit,
    total: g.total,
    nodes: g.nodes.map((n) => ({
      id: n.id, name: n.name, self: n.self, total: n.total, calls: n.calls,
      ...(n.file ? { file: n.file } : {}), ...(n.line !== undefined ? { line: n.line } : {}),
      ...(n.kind === 'pseudo' ? { kind: 'pseudo' } : {}),
    })),
    edges: g.edges.map((e) => ({ caller: e.caller, callee: e.callee, weight: e.weight, calls: e.calls, ...(e.elided ? { elided: true as const } : {}) })),
  }
}

export function toJson(g: CallGraph): string {
  return JSON.stringify(toJsonGraph(g), null, 1) + '\n'
}
