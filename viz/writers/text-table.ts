// toTextTable(graph) → an fprof-style analysis for any input: one paragraph per function,
// sorted by ACC, with its callers above, the function itself marked with `*` and its
// callees below, each line showing CNT, ACC and OWN (OWN of an edge line is the callee's
// own share when the producer gave it; blank otherwise).
//
//   {                      CNT        ACC        OWN
//      main                  1   100.0 ms    10.0 ms
//    * fib                  89    90.0 ms    90.0 ms   <- the function
//      helper                3     5.0 ms            }
import type { CallGraph } from '../model/call-graph'
import { adjacency } from '../model/call-graph'
import { formatCount, formatPercent, formatValue } from './format-value'

const W = 12

/** A function's name in the table; an anonymous one also shows where it is (file name:line). */
function label(n: CallGraph['nodes'][number]): string {
  if (!n.name.startsWith('(anonymous') || !n.file) return n.name
  return `${n.name} ${n.file.replace(/^.*[\\/]/, '')}${n.line !== undefined ? `:${n.line}` : ''}`
}

function cols(cnt: number | null, acc: string, own: string): string {
  // A leading space keeps wide values ("800,114 samples") from running into each other.
  return `${(' ' + (cnt === null ? '-' : formatCount(cnt))).padStart(W)}${(' ' + acc).padStart(W + 2)}${own === '' ? '' : (' ' + own).padStart(W + 2)}`
}

export function toTextTable(g: CallGraph): string {
  const adj = adjacency(g)
  const order = [...g.nodes].sort((a, b) => b.total - a.total || b.self - a.self || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
  const nameWidth = Math.min(60, Math.max(20, ...g.nodes.map((n) => label(n).length + 4)))
  const name = (s: string, mark: string) => `${mark} ${s.length > nameWidth - 3 ? s.slice(0, nameWidth - 4) + '…' : s}`.padEnd(nameWidth)
  const out: string[] = []
  const dropped = typeof g.meta.nodesDropped === 'number' ? g.meta.nodesDropped : 0
  const counted = dropped > 0 ? `${g.nodes.length} of ${g.nodes.length + dropped} functions shown (${dropped} below the thresholds or the budget)` : `${g.nodes.length} functions`
  out.push(`%% ${g.name}: ${counted}, 100 % = ${formatValue(g.whole, g.unit)} (${g.unit})${g.whole !== g.total ? `, ΣOWN = ${formatValue(g.total, g.unit)}` : ''}`)
  out.push(g.totalCalls !== null
    ? `%% ACC is inclusive, charged once per stack; OWN is self; CNT is calls ('-' where unknown), TOTALS CNT = all calls`
    : `%% ACC is inclusive, charged once per stack; OWN is self; CNT '-': this input has no call counts`)
  out.push('')
  out.push(`${''.padEnd(nameWidth)}${'CNT'.padStart(W)}${'ACC'.padStart(W + 2)}${'OWN'.padStart(W + 2)}`)
  out.push(`${'TOTALS'.padEnd(nameWidth)}${cols(g.totalCalls, formatValue(g.whole, g.unit), formatValue(typeof g.meta.producerTotal === 'number' ? g.meta.producerTotal : g.total, g.unit))}`)
  for (const n of order) {
    out.push('')
    out.push('{')
    const callers = adj.in[n.id].map((i) => g.edges[i]).sort((a, b) => b.weight - a.weight || a.caller - b.caller)
    for (const e of callers) out.push(`${name((e.elided ? '≈ ' : '') + label(g.nodes[e.caller]), ' ')}${cols(e.calls, formatValue(e.weight, g.unit), '')}`)
    out.push(`${name(label(n), '*')}${cols(n.calls, formatValue(n.total, g.unit), formatValue(n.self, g.unit))}   ${formatPercent(n.total, g.whole)} / ${formatPercent(n.self, g.whole)}`)
    const callees = adj.out[n.id].map((i) => g.edges[i]).sort((a, b) => b.weight - a.weight || a.callee - b.callee)
    for (const e of callees) out.push(`${name((e.elided ? '≈ ' : '') + label(g.nodes[e.callee]), ' ')}${cols(e.calls, formatValue(e.weight, g.unit), '')}`)
    out.push('}')
  }
  return out.map((l) => l.trimEnd()).join('\n') + '\n'
}
