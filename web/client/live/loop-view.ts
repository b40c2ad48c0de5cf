// Event loop: utilization over the last 60 s (line, 0..1) with the delay percentiles in the caption.
import * as d3 from 'd3'
import type { LiveSnapshot } from '../../shared/wire'
import { ns, pct } from '../format'

export function drawLoop(el: HTMLElement, caption: HTMLElement, badge: HTMLElement, elu: { t: number; v: number }[], snap: LiveSnapshot | undefined): void {
  const l = snap?.eventLoop
  badge.textContent = l ? `utilization ${pct(l.utilization)} last second` : 'event-loop collector off'
  caption.textContent = l ? `delay since start: p50 ${ns(l.delayNs.p50)} · p99 ${ns(l.delayNs.p99)} · max ${ns(l.delayNs.max)} (${l.delayNs.count} samples)` : ''
  const width = Math.max(260, el.clientWidth || 400), height = 120, m = { l: 36, r: 6, t: 6, b: 18 }
  const t1 = elu.length ? elu[elu.length - 1].t : Date.now()
  const x = d3.scaleLinear().domain([t1 - 60_000, t1]).range([m.l, width - m.r])
  const y = d3.scaleLinear().domain([0, 1]).range([height - m.b, m.t])
  const svg = d3.select(el).selectAll<SVGSVGElement, null>('svg').data([null]).join('svg').attr('width', width).attr('height', height)
  svg.selectAll<SVGGElement, null>('g.y').data([null]).join('g').attr('class', 'y axis').attr('transform', `translate(${m.l},0)`)
    .call(d3.axisLeft(y).ticks(4).tickFormat((d) => `${Math.round(Number(d) * 100)}%`))
  svg.selectAll<SVGGElement, null>('g.x').data([null]).join('g').attr('class', 'x axis').attr('transform', `translate(0,${height - m.b})`)
    .call(d3.axisBottom(d3.scaleLinear().domain([-60, 0]).range(x.range())).ticks(6).tickFormat((d) => `${Number(d)} s`))
  const line = d3.line<{ t: number; v: number }>().x((d) => x(d.t)).y((d) => y(d.v))
  svg.selectAll<SVGPathElement, { t: number; v: number }[]>('path.elu').data([elu]).join('path').attr('class', 'elu').attr('d', line)
  svg.selectAll<SVGCircleElement, { t: number; v: number }>('circle.elu').data(elu.slice(-1)).join('circle').attr('class', 'elu')
    .attr('cx', (d) => x(d.t)).attr('cy', (d) => y(d.v)).attr('r', 3)
}
