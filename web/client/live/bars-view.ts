// Horizontal bar lists: top allocation sites (bytes/s, function and url:line) and heap by space
// (used within size). Names are set with .text() only.
import * as d3 from 'd3'
import type { LiveSnapshot } from '../../shared/wire'
import { bytes } from '../format'

interface Bar { key: string; label: string; sub: string; value: number; max: number; title: string }

function drawBars(el: HTMLElement, bars: Bar[], empty: string): void {
  const width = Math.max(260, el.clientWidth || 400), row = 30
  const height = Math.max(row, bars.length * row)
  const x = d3.scaleLinear().domain([0, d3.max(bars, (b) => b.max) || 1]).range([0, width])
  const svg = d3.select(el).selectAll<SVGSVGElement, null>('svg').data([null]).join('svg').attr('width', width).attr('height', height)
  svg.selectAll<SVGTextElement, null>('text.empty').data(bars.length ? [] : [null]).join('text').attr('class', 'empty').attr('x', 4).attr('y', 18).text(empty)
  const g = svg.selectAll<SVGGElement, Bar>('g.bar').data(bars, (b) => b.key)
    .join((enter) => {
      const e = enter.append('g').attr('class', 'bar')
      e.append('title'); e.append('rect').attr('class', 'cap'); e.append('rect').attr('class', 'val')
      e.append('text').attr('class', 'label'); e.append('text').attr('class', 'sub')
      return e
    })
    .order() // DOM order = rank (the first g.bar is the top row)
    .attr('transform', (_b, i) => `translate(0,${i * row})`).attr('data-key', (b) => b.key)
  g.select('title').text((b) => b.title)
  g.select('rect.cap').attr('y', 14).attr('height', 12).attr('width', (b) => x(b.max))
  g.select('rect.val').attr('y', 14).attr('height', 12).attr('width', (b) => Math.max(1, x(b.value)))
  g.select('text.label').attr('x', 2).attr('y', 11).text((b) => b.label)
  g.select('text.sub').attr('x', width - 2).attr('y', 11).attr('text-anchor', 'end').text((b) => b.sub)
}

export function drawAlloc(el: HTMLElement, snap: LiveSnapshot | undefined): void {
  const sites = (snap?.alloc?.sites ?? []).slice(0, 10)
  const max = d3.max(sites, (s) => s.bytes) ?? 1
  drawBars(el, sites.map((s) => {
    const where = s.url ? `${s.url.replace(/^.*\//, '')}:${s.line}` : ''
    return {
      key: `${s.function}|${s.url}|${s.line}`, label: `${s.function || '(anonymous)'} ${where}`,
      sub: `${bytes(s.bytesPerSec)}/s · ${bytes(s.bytes)}`, value: s.bytes, max,
      title: [`${s.function || '(anonymous)'} ${s.url}:${s.line}`, `${bytes(s.bytes)} sampled, ${bytes(s.bytesPerSec)}/s`, ...s.stack.slice(0, 12)].join('\n'),
    }
  }), snap?.alloc ? 'no allocation samples yet' : 'allocation collector off')
}

export function drawHeap(el: HTMLElement, snap: LiveSnapshot | undefined): void {
  const spaces = (snap?.heapSpaces ?? []).filter((s) => s.sizeBytes > 0)
  const max = d3.max(spaces, (s) => s.sizeBytes) ?? 1
  drawBars(el, spaces.map((s) => ({
    key: s.name, label: s.name, sub: `${bytes(s.usedBytes)} / ${bytes(s.sizeBytes)}`, value: s.usedBytes, max,
    title: `${s.name}: used ${bytes(s.usedBytes)} of ${bytes(s.sizeBytes)}, available ${bytes(s.availableBytes)}`,
  })), 'no heap data')
  void max
}
