// The legend of a call graph: what the figures are, the heat scale (or the diverging
// scale of a --diff), and the two special styles (aggregate edges, pseudo frames). Drawn
// as one HTML-like label; every text in it is XML-escaped.
import type { CallGraph } from '../model/call-graph'
import type { Metric } from '../graph/shape-options'
import { metricTotal } from '../graph/shape-options'
import { formatValue } from './format-value'
import { divergingColor, heatColor, PSEUDO_FILL } from './palette'
import { escapeXml } from './xml-escape'
import { attrList, Quoted } from './dot-quote'

export function dotLegend(g: CallGraph, o: { metric: Metric; skew: number; diff?: number }): string[] {
  const steps = [0, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1]
  const cells = o.diff !== undefined
    ? [-1, -0.5, 0, 0.5, 1].map((t) => `<td bgcolor="${divergingColor(t)}">${t > 0 ? '+' : t < 0 ? '−' : ''}${Math.abs(t * o.diff!).toFixed(1)}</td>`)
    : steps.map((t) => `<td bgcolor="${heatColor(t, o.skew)}">${Math.round(t * 100)}%</td>`)
  const whole = o.metric === 'calls' && g.hasCalls ? `${metricTotal(g, 'calls')} calls (max CNT)` : formatValue(g.whole, g.unit) + (g.whole !== g.total ? ` (ΣOWN ${formatValue(g.total, g.unit)}; ACC may include waiting)` : '')
  const shown = g.meta.nodesShown !== undefined ? `${g.meta.nodesShown} functions shown, ${g.meta.nodesDropped} below thresholds or budget` : `${g.nodes.length} functions`
  const rows = [
    `<tr><td colspan="${cells.length}" align="left"><b>${escapeXml(g.name)}</b> — 100 % = ${escapeXml(whole)}; colour by ${o.diff !== undefined ? 'change (pts)' : o.metric}</td></tr>`,
    `<tr>${cells.join('')}</tr>`,
    `<tr><td colspan="${cells.length}" align="left">CNT calls · ACC inclusive (once per stack) · OWN self · ${escapeXml(shown)}</td></tr>`,
    `<tr><td colspan="${Math.ceil(cells.length / 2)}" bgcolor="${PSEUDO_FILL}" style="dashed">pseudo frame</td><td colspan="${Math.floor(cells.length / 2)}">dashed edge ≈ elided calls</td></tr>`,
  ]
  const table = `<<table border="0" cellborder="1" cellspacing="0" cellpadding="3">${rows.join('')}</table>>`
  return [`  "sonde legend" ${attrList({ fontsize: 9, label: new Quoted(table), shape: 'plaintext', style: '' })};`]
}
