// Flame graph of the profile's merged calling-context trees (d3-hierarchy partition), root at
// the bottom like flamegraph.pl, 0x and `sonde flame`. Click a frame to zoom into it (its
// ancestors stay below it, dimmed; click the zoomed frame or an ancestor to zoom out); the
// frame's function is reported so the side panel shows its callers and callees. Search
// marks the matching frames and answers their share of the total (nested matches counted once).
import * as d3 from 'd3'
import type { FlameCell } from '../../shared/wire'

type Node = d3.HierarchyRectangularNode<FlameCell>

export function createFlameView(host: HTMLElement, onSelect: (cell: FlameCell) => void, fmt: (v: number) => string) {
  let root: Node | undefined
  let total = 0
  let needle = ''
  // The root row is at the bottom: keep the view there when the box changes size (a toolbar
  // that wraps, a window resize) unless the reader scrolled up.
  let atBottom = true
  host.addEventListener('scroll', () => { atBottom = host.scrollTop + host.clientHeight >= host.scrollHeight - 2 })
  new ResizeObserver(() => { if (atBottom) host.scrollTop = host.scrollHeight }).observe(host)

  function draw(focus: Node): void {
    if (!root) return
    const width = Math.max(400, host.clientWidth || 900), row = 18
    const x = d3.scaleLinear().domain([focus.x0, focus.x1]).range([0, width])
    // The focused frame's ancestors stay drawn (dimmed, full width: click one to zoom out to it).
    const nodes = [...focus.ancestors().slice(1).reverse(), ...focus.descendants().filter((n) => x(n.x1) - x(n.x0) >= 0.5)]
    const depth = d3.max(nodes, (n) => n.depth) ?? 0
    const height = (depth + 1) * row + 4
    const y = (n: Node) => height - (n.depth + 1) * row
    const svg = d3.select(host).selectAll<SVGSVGElement, null>('svg').data([null]).join('svg').attr('class', 'flame').attr('width', width).attr('height', height)
    const g = svg.selectAll<SVGGElement, Node>('g.frame').data(nodes, (n) => n.ancestors().map((a) => a.data.n).join(';'))
      .join((enter) => {
        const e = enter.append('g').attr('class', 'frame')
        e.append('rect'); e.append('text'); e.append('title')
        return e
      })
      .attr('transform', (n) => `translate(${x(Math.max(n.x0, focus.x0))},${y(n)})`)
      .classed('pseudo', (n) => n.data.k === 'pseudo')
      .classed('ancestor', (n) => n.depth < focus.depth)
      .classed('match', (n) => hit(n))
      .on('click', (_e, n) => { draw(n === focus && n.parent ? n.parent : n); onSelect(n.data) })
    g.select('rect').attr('width', (n) => Math.max(0.5, x(Math.min(n.x1, focus.x1)) - x(Math.max(n.x0, focus.x0)) - 0.5)).attr('height', row - 1)
      // Light yellow → orange by share (never the dark reds: the names are dark text).
      .attr('fill', (n) => n.data.k === 'pseudo' ? '#d8d8d8' : d3.interpolateYlOrRd(0.12 + 0.38 * ((n.value ?? 0) / (total || 1))))
    g.select('text').attr('x', 3).attr('y', row - 5)
      .text((n) => {
        const w = x(Math.min(n.x1, focus.x1)) - x(Math.max(n.x0, focus.x0))
        const chars = Math.floor((w - 6) / 6.5)
        return chars < 3 ? '' : n.data.n.length > chars ? n.data.n.slice(0, chars - 1) + '…' : n.data.n
      })
    g.select('title').text((n) => `${n.data.n}${n.data.f ? `\n${n.data.f}` : ''}\n${fmt(n.value ?? 0)} (${((100 * (n.value ?? 0)) / (total || 1)).toFixed(2)} %)`)
    // The root row is at the bottom: show it.
    host.scrollTop = host.scrollHeight
    atBottom = true
  }

  const hit = (n: Node) => needle !== '' && n.data.n.toLowerCase().includes(needle)

  return {
    show(tree: { total: number; root: FlameCell }): void {
      host.replaceChildren()
      total = tree.total
      const h = d3.hierarchy<FlameCell>(tree.root, (c) => c.c).sum((c) => c.v)
      h.sort((a, b) => (b.value ?? 0) - (a.value ?? 0))
      root = d3.partition<FlameCell>().size([1, h.height + 1])(h)
      draw(root)
    },
    /** Marks frames whose name contains q; answers how many and their share of the total. */
    search(q: string): { frames: number; share: number } {
      needle = q.trim().toLowerCase()
      d3.select(host).selectAll<SVGGElement, Node>('g.frame').classed('match', hit)
      if (!root || !needle) return { frames: 0, share: 0 }
      let frames = 0, covered = 0
      // Over the whole tree (drawn or not); a match under a match is already counted in it.
      const walk: [Node, boolean][] = [[root, false]]
      while (walk.length) {
        const [n, under] = walk.pop()!
        const m = n !== root && hit(n)
        if (m) { frames++; if (!under) covered += n.value ?? 0 }
        for (const c of n.children ?? []) walk.push([c, under || m])
      }
      return { frames, share: total ? covered / total : 0 }
    },
    redraw(): void { if (root) draw(root) },
  }
}
