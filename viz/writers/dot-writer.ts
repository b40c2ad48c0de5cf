// toDot(graph) → Graphviz DOT, fprof-style: each node shows name, file:line, CNT, ACC and
// OWN (auto-scaled and as % of the whole), heat colour from the metric, optional font size
// from OWN and per-module hue; edges show the weight through them (%, and CNT when known),
// aggregate edges over elided nodes are dashed; pseudo frames are grey and dashed; a
// legend explains the scale. Output is deterministic: nodes by id, edges by (caller,
// callee), attributes sorted, every string quoted (see dot-quote.ts).
import type { CallGraph, CallGraphNode } from '../model/call-graph'
import { edgeValue, type Metric, defaultMetric, metricTotal, nodeValue } from '../graph/shape-options'
import { attrList, ellipsize, nodeId, Quoted, quote, quoteLines, wrapName } from './dot-quote'
import { formatCount, formatPercent, formatValue } from './format-value'
import { divergingColor, heatColor, moduleColor, PSEUDO_FILL, PSEUDO_TEXT, textColorFor } from './palette'
import { dotLegend } from './dot-legend'

export interface DotOptions {
  metric?: Metric
  /** gprof2dot's colour skew (default 1). */
  skew?: number
  /** Node font size grows with OWN, as the fprof-to-dot tool did. */
  fontFromOwn?: boolean
  /** Hue per module, heat as lightness. */
  moduleHue?: boolean
  /** Signed change per node key in percentage points of the whole (from --diff). */
  diff?: Map<string, number>
  /** Leave out the legend. */
  noLegend?: boolean
}

function location(n: CallGraphNode): string | undefined {
  if (!n.file) return undefined
  const base = n.file.replace(/^.*[\\/]/, '')
  return n.line !== undefined ? `${base}:${n.line}` : base
}

function nodeLines(n: CallGraphNode, g: CallGraph, diff: number | undefined): string[] {
  const lines = wrapName(n.name, 36, 3)
  const loc = location(n)
  if (loc) lines.push(ellipsize(loc, 44))
  if (n.calls !== null) lines.push(`CNT ${formatCount(n.calls)} ×`)
  lines.push(`ACC ${formatValue(n.total, g.unit)}  ${formatPercent(n.total, g.whole)}`)
  lines.push(`OWN ${formatValue(n.self, g.unit)}  ${formatPercent(n.self, g.whole)}`)
  if (diff !== undefined) lines.push(`Δ ${diff >= 0 ? '+' : '−'}${Math.abs(diff).toFixed(2)} pts`)
  return lines
}

function tooltip(n: CallGraphNode, g: CallGraph): string[] {
  const t = [n.name]
  if (n.file) t.push(`${n.file}${n.line !== undefined ? `:${n.line}` : ''}`)
  if (n.module) t.push(`module ${n.module}`)
  t.push(`CNT ${n.calls === null ? 'not counted' : formatCount(n.calls)}`)
  t.push(`ACC ${formatValue(n.total, g.unit)} (${formatPercent(n.total, g.whole)})`)
  t.push(`OWN ${formatValue(n.self, g.unit)} (${formatPercent(n.self, g.whole)})`)
  if (n.kind === 'pseudo') t.push('pseudo frame')
  return t
}

export function toDot(g: CallGraph, o: DotOptions = {}): string {
  const metric = o.metric ?? (typeof g.meta.metric === 'string' ? (g.meta.metric as Metric) : defaultMetric(g.unit))
  const whole = metricTotal(g, metric) || 1
  const skew = o.skew ?? 1
  let maxDiff = 0
  if (o.diff) for (const v of o.diff.values()) maxDiff = Math.max(maxDiff, Math.abs(v))
  const taken = new Set<string>()
  const ids = g.nodes.map((n) => nodeId(n.name, n.key, taken))
  const out: string[] = []
  out.push('digraph callgraph {')
  out.push(`  graph ${attrList({ fontname: 'Helvetica', nodesep: 0.25, ranksep: 0.3, rankdir: 'TB', label: g.name, labelloc: 't', fontsize: 14 })};`)
  out.push(`  node ${attrList({ fontname: 'Helvetica', fontsize: 10, shape: 'box', style: 'filled,rounded', penwidth: 1, margin: '0.08,0.04' })};`)
  out.push(`  edge ${attrList({ fontname: 'Helvetica', fontsize: 9, arrowsize: 0.6 })};`)
  g.nodes.forEach((n, i) => {
    const t = nodeValue(n, metric) / whole
    const d = o.diff?.get(n.key)
    let fill = o.moduleHue && n.module ? moduleColor(n.module, t, skew) : heatColor(t, skew)
    if (o.diff) fill = divergingColor(maxDiff > 0 ? (d ?? 0) / maxDiff : 0)
    const pseudo = n.kind === 'pseudo'
    const ownFrac = g.whole > 0 ? n.self / g.whole : 0
    out.push(`  ${quote(ids[i])} ${attrList({
      label: new Quoted(quoteLines(nodeLines(n, g, d))),
      tooltip: new Quoted(quoteLines(tooltip(n, g))),
      fillcolor: pseudo ? PSEUDO_FILL : fill,
      fontcolor: pseudo ? PSEUDO_TEXT : textColorFor(fill),
      color: pseudo ? '#808080' : '#404040',
      style: pseudo ? 'filled,rounded,dashed' : undefined,
      fontsize: o.fontFromOwn ? (9 + 15 * Math.sqrt(ownFrac)).toFixed(1) : undefined,
    })};`)
  })
  for (const e of g.edges) {
    const t = edgeValue(e, metric) / whole
    const color = o.diff ? '#606060' : heatColor(Math.max(t, 0.15), skew)
    const label = [`${e.elided ? '≈' : ''}${formatPercent(e.weight, g.whole)}`]
    if (e.calls !== null) label.push(`${formatCount(e.calls)} ×`)
    out.push(`  ${quote(ids[e.caller])} -> ${quote(ids[e.callee])} ${attrList({
      label: new Quoted(quoteLines(label)),
      tooltip: new Quoted(quoteLines([`${g.nodes[e.caller].name} → ${g.nodes[e.callee].name}`, `${e.elided ? 'through elided calls ≈ ' : ''}${formatValue(e.weight, g.unit)} (${formatPercent(e.weight, g.whole)})`, `CNT ${e.calls === null ? 'not counted' : formatCount(e.calls)}`])),
      color: e.elided ? '#707070' : color,
      penwidth: Math.max(0.8, Math.min(6, 6 * Math.sqrt(Math.min(1, t)))).toFixed(2),
      style: e.elided ? 'dashed' : undefined,
    })};`)
  }
  if (!o.noLegend) out.push(...dotLegend(g, { metric, skew, diff: o.diff ? maxDiff : undefined }))
  out.push('}')
  return out.join('\n') + '\n'
}
