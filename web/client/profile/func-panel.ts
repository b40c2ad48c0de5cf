// The side panel of the Profiles tab: the selected function, its callers and callees from the
// shaped call graph (values in the profile's unit), and the button that focuses on it.
import * as d3 from 'd3'
import { valueIn } from '../format'

export interface JsonGraph {
  unit: string; total: number; metrics: string[]; dropped: number
  nodes: { id: number; name: string; self: number; total: number; calls: number | null; file?: string; line?: number }[]
  edges: { caller: number; callee: number; weight: number; calls: number | null }[]
}

type GraphNode = JsonGraph['nodes'][number]
/** The node's key as the call graph view makes it from the SVG: "name file:line" when the file is known. */
export const keyOf = (n: GraphNode): string => n.file ? `${n.name} ${n.file}${n.line !== undefined ? `:${n.line}` : ''}` : n.name

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T

/** Shows the function of `key` ("name" or "name file:line"). */
export function showFunction(key: string, graph: JsonGraph | undefined, focused: boolean): void {
  const byId = new Map((graph?.nodes ?? []).map((n) => [n.id, n]))
  const node = key ? graph?.nodes.find((n) => keyOf(n) === key) ?? graph?.nodes.find((n) => n.name === key) : undefined
  $('func-name').textContent = node?.name ?? (key || 'Click a function')
  $<HTMLButtonElement>('focus-func').classList.toggle('hidden', !key || focused)
  const fmt = (v: number) => valueIn(graph?.unit ?? '', v)
  $('func-self').textContent = node && graph ? `${node.file ? `${node.file}${node.line !== undefined ? `:${node.line}` : ''} · ` : ''}ACC ${fmt(node.total)} (${(100 * node.total / (graph.total || 1)).toFixed(1)} %) · OWN ${fmt(node.self)}` : ''
  const list = (title: string, edges: { id: number; w: number }[]) => {
    const div = document.createElement('div')
    if (!node) return div
    d3.select(div).append('h4').text(title)
    d3.select(div).append('ul').selectAll('li').data(edges.sort((a, b) => b.w - a.w)).join('li')
      .text((e) => `${byId.get(e.id)?.name ?? '?'} — ${fmt(e.w)}`)
    return div
  }
  const callers = node ? graph!.edges.filter((e) => e.callee === node.id).map((e) => ({ id: e.caller, w: e.weight })) : []
  const callees = node ? graph!.edges.filter((e) => e.caller === node.id).map((e) => ({ id: e.callee, w: e.weight })) : []
  $('func-callers').replaceChildren(list('callers', callers))
  $('func-callees').replaceChildren(list('callees', callees))
}
