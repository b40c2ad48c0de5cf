// Latency heatmap: x = interval (time, the last WINDOW_S seconds), y = log latency rows (one
// per power of two of the histogram's buckets), colour = count (log scale, its legend on the
// right: count per cell from 1 to the largest shown). Hover shows the count of a cell.
import * as d3 from 'd3'
import { bucketLower, TIME_LAYOUT } from '../../../collectors/histogram'
import type { HeatPoint } from './live-store'
import { clock, ns } from '../format'

interface Cell { x: number; row: number; count: number; startMs: number }

function rowOf(bucket: number): number {
  const lower = bucketLower(TIME_LAYOUT, bucket)
  return lower <= 0 ? 0 : Math.floor(Math.log2(lower))
}

/** Seconds shown by every live time axis (heatmaps, GC timeline, event loop). */
export const WINDOW_S = 60

export function drawHeatmap(el: HTMLElement, caption: HTMLElement, points: HeatPoint[], what: string): void {
  const width = Math.max(300, el.clientWidth || 600), height = 180
  const m = { l: 64, r: 96, t: 6, b: 22 }
  points = points.slice(-WINDOW_S)
  const cells: Cell[] = []
  points.forEach((p, x) => {
    const rows = new Map<number, number>()
    for (const [b, c] of p.histogram.buckets) rows.set(rowOf(b), (rows.get(rowOf(b)) ?? 0) + c)
    for (const [row, count] of rows) cells.push({ x, row, count, startMs: p.startMs })
  })
  const svg = d3.select(el).selectAll<SVGSVGElement, null>('svg').data([null]).join('svg')
    .attr('width', width).attr('height', height).attr('class', 'heatmap')
  if (!cells.length) {
    svg.selectAll('*').remove()
    svg.append('text').attr('x', width / 2).attr('y', height / 2).attr('text-anchor', 'middle').attr('class', 'empty').text(`no ${what} yet`)
    return
  }
  svg.selectAll('text.empty').remove()
  const rows = d3.extent(cells, (c) => c.row) as [number, number]
  const lo = rows[0], hi = Math.max(rows[1], lo + 3)
  const n = WINDOW_S
  const x = d3.scaleLinear().domain([0, n]).range([m.l, width - m.r])
  const y = d3.scaleLinear().domain([lo, hi + 1]).range([height - m.b, m.t])
  const max = d3.max(cells, (c) => c.count) ?? 1
  const color = d3.scaleSequentialLog(d3.interpolateYlOrRd).domain([1, Math.max(2, max)])
  const cw = (width - m.l - m.r) / n, ch = Math.max(2, (height - m.t - m.b) / (hi - lo + 1))
  const off = n - points.length
  svg.selectAll<SVGGElement, null>('g.cells').data([null]).join('g').attr('class', 'cells')
    .selectAll<SVGRectElement, Cell>('rect').data(cells, (c) => `${c.startMs}:${c.row}`)
    .join((enter) => enter.append('rect').call((r) => r.append('title')))
    .attr('x', (c) => x(c.x + off)).attr('y', (c) => y(c.row + 1)).attr('width', Math.max(1, cw - 1)).attr('height', Math.max(1, ch - 1))
    .attr('fill', (c) => color(Math.max(1, c.count)))
    .attr('data-count', (c) => c.count).attr('data-start', (c) => c.startMs).attr('data-row', (c) => c.row)
    .on('mouseenter', (_e, c) => { caption.textContent = `${c.count} ${what} of ${ns(2 ** c.row)}–${ns(2 ** (c.row + 1))} at ${clock(c.startMs)}` })
    .select('title').text((c) => `${c.count} ${what}, ${ns(2 ** c.row)}–${ns(2 ** (c.row + 1))}, ${clock(c.startMs)}`)
  const axis = d3.axisLeft(y).ticks(Math.min(6, hi - lo + 1)).tickFormat((d) => ns(2 ** Number(d)))
  svg.selectAll<SVGGElement, null>('g.y').data([null]).join('g').attr('class', 'y axis').attr('transform', `translate(${m.l - 2},0)`).call(axis)
  // Time axis in seconds before the newest column (the same convention as the GC timeline).
  const first = points[0]?.startMs ?? Date.now(), last = points[points.length - 1]?.startMs ?? Date.now()
  const stepS = points.length > 1 ? (last - first) / (points.length - 1) / 1000 : 1
  const xt = d3.scaleLinear().domain([-(n - 1) * stepS, stepS]).range([m.l, width - m.r])
  svg.selectAll('text.tlabel').remove()
  svg.selectAll<SVGGElement, null>('g.x').data([null]).join('g').attr('class', 'x axis').attr('transform', `translate(0,${height - m.b + 1})`)
    .call(d3.axisBottom(xt).ticks(8).tickFormat((d) => `${Math.round(Number(d))} s`))
  if (!caption.textContent) caption.textContent = `last ${WINDOW_S} s, one column per second · hover a cell for its count`
  drawLegend(svg, color, max, width - m.r + 14, m.t, height - m.t - m.b, what)
}

/** The colour scale: a vertical ramp from 1 (bottom) to the largest cell count (top), with ticks. */
function drawLegend(svg: d3.Selection<SVGSVGElement, null, d3.BaseType, unknown>, color: d3.ScaleSequential<string>, max: number, x: number, y: number, h: number, what: string): void {
  const top = Math.max(2, max)
  const scale = d3.scaleLog().domain([1, top]).range([y + h, y])
  const g = svg.selectAll<SVGGElement, null>('g.legend').data([null]).join('g').attr('class', 'legend')
  const steps = d3.range(0, 24).map((i) => 10 ** (Math.log10(top) * i / 24))
  g.selectAll<SVGRectElement, number>('rect').data(steps).join('rect')
    .attr('x', x).attr('width', 12).attr('y', (v, i) => scale(10 ** (Math.log10(top) * (i + 1) / 24)))
    .attr('height', h / 24 + 0.5).attr('fill', (v) => color(v))
  g.selectAll<SVGGElement, null>('g.axis').data([null]).join('g').attr('class', 'axis').attr('transform', `translate(${x + 12},0)`)
    .call(d3.axisRight(scale).tickValues([...new Set([1, Math.round(Math.sqrt(top)), top])]).tickFormat(d3.format('~s')))
  g.selectAll<SVGTextElement, null>('text.title').data([null]).join('text').attr('class', 'title axis')
    .attr('transform', `translate(${x - 4},${y + h / 2}) rotate(-90)`).attr('text-anchor', 'middle').text(`${what} per cell`)
}
