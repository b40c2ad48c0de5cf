// GC timeline by kind: one lane per GC kind over the last 60 s (the heatmaps' window), each GC a mark as wide as its
// pause (at least 1 px), plus the GC share of wall time and a per-kind summary table.
import * as d3 from 'd3'
import type { LiveSnapshot } from '../../shared/wire'
import type { GcEvent } from './live-store'
import { bytes, ns, pct } from '../format'

const WINDOW_NS = 60e9

export function drawGc(el: HTMLElement, table: HTMLTableElement, badge: HTMLElement, events: GcEvent[], snap: LiveSnapshot | undefined): void {
  const gc = snap?.gc
  badge.textContent = gc ? `GC share of wall time ${pct(gc.shareRatio)} last second · ${pct(gc.shareRatioSinceStart)} since start` : 'GC collector off'
  const width = Math.max(300, el.clientWidth || 600)
  const now = snap?.hrtimeNs ?? (events.length ? events[events.length - 1].startNs : 0)
  const shown = events.filter((e) => e.startNs > now - WINDOW_NS)
  const kinds = [...new Set([...(gc?.kinds ?? []).map((k) => k.kind), ...shown.map((e) => e.kind)])].sort()
  const lane = 22, m = { l: 150, r: 8, t: 4, b: 20 }
  const height = m.t + m.b + Math.max(1, kinds.length) * lane
  const x = d3.scaleLinear().domain([now - WINDOW_NS, now]).range([m.l, width - m.r])
  const y = d3.scaleBand<string>().domain(kinds).range([m.t, height - m.b]).padding(0.2)
  const color = d3.scaleOrdinal<string, string>(d3.schemeTableau10).domain(kinds)
  const svg = d3.select(el).selectAll<SVGSVGElement, null>('svg').data([null]).join('svg').attr('width', width).attr('height', height)
  svg.selectAll<SVGTextElement, null>('text.empty').data(kinds.length ? [] : [null]).join('text').attr('class', 'empty')
    .attr('x', width / 2).attr('y', m.t + 12).attr('text-anchor', 'middle').text('no GC yet')
  svg.selectAll<SVGTextElement, string>('text.lane').data(kinds, (k) => k).join('text').attr('class', 'lane axis')
    .attr('x', m.l - 6).attr('y', (k) => (y(k) ?? 0) + y.bandwidth() / 2 + 4).attr('text-anchor', 'end').text((k) => k)
  const px = (width - m.l - m.r) / WINDOW_NS
  svg.selectAll<SVGGElement, null>('g.marks').data([null]).join('g').attr('class', 'marks')
    .selectAll<SVGRectElement, GcEvent>('rect.gc').data(shown, (e) => `${e.threadId}:${e.startNs}`)
    .join((enter) => enter.append('rect').attr('class', 'gc').call((r) => r.append('title')))
    .attr('x', (e) => x(e.startNs)).attr('y', (e) => y(e.kind) ?? 0)
    .attr('width', (e) => Math.max(1.5, e.durationNs * px)).attr('height', y.bandwidth())
    .attr('fill', (e) => color(e.kind)).attr('data-kind', (e) => e.kind)
    .select('title').text((e) => `${e.kind}: ${ns(e.durationNs)}, heap ${bytes(e.usedBeforeBytes)} → ${bytes(e.usedAfterBytes)}${e.threadId ? `, thread ${e.threadId}` : ''}`)
  svg.selectAll<SVGGElement, null>('g.x').data([null]).join('g').attr('class', 'x axis').attr('transform', `translate(0,${height - m.b})`)
    .call(d3.axisBottom(d3.scaleLinear().domain([-WINDOW_NS / 1e9, 0]).range(x.range())).ticks(6).tickFormat((d) => `${Number(d)} s`))
  const rows = (gc?.kinds ?? []).map((k) => [k.kind, String(k.count), ns(k.totalNs), ns(k.pauseNs.p50), ns(k.pauseNs.p99), ns(k.pauseNs.max)])
  fillTable(table, ['kind (since start)', 'count', 'total', 'p50', 'p99', 'max'], rows, undefined, gc ? 'no GC yet' : 'GC collector off')
}

/** Rebuilds a table's rows with d3 (every cell set with .text(): names are never HTML). */
export function fillTable(table: HTMLTableElement, head: string[], rows: string[][], bar?: (row: number) => number, empty?: string): void {
  const none = rows.length === 0 && empty !== undefined
  if (none) rows = [[empty]]
  const t = d3.select(table)
  t.selectAll<HTMLTableSectionElement, null>('thead').data([null]).join('thead')
    .selectAll<HTMLTableRowElement, null>('tr').data([null]).join('tr')
    .selectAll<HTMLTableCellElement, string>('th').data(head).join('th').text((d) => d)
  const tr = t.selectAll<HTMLTableSectionElement, null>('tbody').data([null]).join('tbody')
    .selectAll<HTMLTableRowElement, string[]>('tr').data(rows).join('tr')
  tr.selectAll<HTMLTableCellElement, string>('td').data((r) => r).join('td').text((d) => d)
    .attr('title', (d) => d).attr('colspan', none ? head.length : null).classed('empty', none)
  if (bar && !none) tr.each(function (_r, i) {
    const v = Math.max(0, Math.min(1, bar(i)))
    d3.select(this).select<HTMLTableCellElement>('td:last-child').style('background-size', `${(v * 100).toFixed(1)}% 100%`).classed('bar', true)
  })
}
