// The call graph SVG rendered server-side by viz (Graphviz WASM), shown with d3-zoom pan and
// zoom. The SVG is parsed as XML and stripped of anything active (script, foreignObject,
// on* attributes, hrefs) before it enters the page. The first view is legible: when the whole
// graph fitted into the box would draw its 10-unit labels under 10 px, it opens at 10 px on
// the hottest function instead (the rest is a pan or a zoom away). A click selects a node
// (highlight, no re-layout); a double-click asks for focus. A node is named by its function and,
// when known, its file:line: two `(anonymous)` functions are two nodes. The legend is not a function.
// Search marks matching nodes and dims the others only while something matches.
import * as d3 from 'd3'

export const LEGEND = 'sonde legend'
/** Smallest label size of the first view, in screen px (Graphviz labels are 10 units). */
export const MIN_TEXT_PX = 10
const LABEL_UNITS = 10

export function sanitizeSvg(text: string): SVGSVGElement {
  const doc = new DOMParser().parseFromString(text, 'image/svg+xml')
  const svg = doc.documentElement
  if (svg.nodeName !== 'svg' || doc.querySelector('parsererror')) throw new Error('the server sent an unreadable SVG')
  for (const bad of Array.from(svg.querySelectorAll('script, foreignObject, iframe, use, image'))) bad.remove()
  for (const el of Array.from(svg.querySelectorAll('*')).concat(svg)) {
    for (const a of Array.from(el.attributes)) {
      if (/^on/i.test(a.name) || /href$/i.test(a.name) || a.name === 'style') el.removeAttribute(a.name)
    }
  }
  return document.importNode(svg, true) as unknown as SVGSVGElement
}

export function nodeName(g: SVGGElement): string {
  const a = g.querySelector('a')
  const t = a?.getAttribute('xlink:title') ?? a?.getAttributeNS('http://www.w3.org/1999/xlink', 'title') ?? g.querySelector('title')?.textContent ?? ''
  return t.split('\n')[0]
}

/** What identifies a node: its name, and its file:line when the tooltip has one ("(anonymous) app.js:12"). */
export function nodeKey(g: SVGGElement): string {
  const a = g.querySelector('a')
  const lines = (a?.getAttribute('xlink:title') ?? a?.getAttributeNS('http://www.w3.org/1999/xlink', 'title') ?? g.querySelector('title')?.textContent ?? '').split('\n')
  const loc = lines[1] && !/^(CNT|ACC|OWN|module) /.test(lines[1]) ? lines[1] : ''
  return loc ? `${lines[0]} ${loc}` : lines[0]
}

export interface CallGraphHandlers { select(name: string): void; focus(name: string): void }

export function createCallGraphView(host: HTMLElement, on: CallGraphHandlers) {
  let svg: d3.Selection<SVGSVGElement, unknown, null, undefined> | undefined
  let zoom: d3.ZoomBehavior<SVGSVGElement, unknown> | undefined

  const nodes = (): SVGGElement[] => svg ? Array.from(svg.node()!.querySelectorAll<SVGGElement>('g.node:not(.legend)')) : []

  /** Screen px per SVG unit when the zoom is 1 (the viewBox fitted into the box). */
  function fitScale(): number {
    const el = svg!.node()!, vb = el.viewBox.baseVal
    return vb && vb.width ? Math.min(el.clientWidth / vb.width, el.clientHeight / vb.height) || 1 : 1
  }

  /** The zoom that shows layer point p (un-zoomed coordinates) at the box's centre, scale k. */
  function centred(p: DOMPoint, k: number, atTop = false): d3.ZoomTransform {
    const el = svg!.node()!, vb = el.viewBox.baseVal
    const w = vb && vb.width ? vb.width : el.clientWidth, h = vb && vb.height ? vb.height : el.clientHeight
    // atTop: the point 90 screen px below the top of the box, rather than at its centre (the
    // viewBox is centred in the box, so its top edge may sit below the box's).
    const fit = fitScale(), top = (el.clientHeight - fit * h) / 2
    const cy = (vb?.y ?? 0) + (atTop ? Math.min(h / 2, (90 - top) / fit) : h / 2)
    return d3.zoomIdentity.translate((vb?.x ?? 0) + w / 2, cy).scale(k).translate(-p.x, -p.y)
  }

  /** A node's centre in the zoom layer's own coordinates. */
  function centreOf(g: SVGGElement): DOMPoint | undefined {
    const layer = svg!.node()!.querySelector<SVGGElement>('g.zoom-layer')
    const toLayer = layer?.getScreenCTM()?.inverse().multiply(g.getScreenCTM() ?? new DOMMatrix())
    if (!toLayer) return undefined
    const box = g.getBBox()
    return new DOMPoint(box.x + box.width / 2, box.y + box.height / 2).matrixTransform(toLayer)
  }

  /** Legible first view: identity when labels fit at ≥ MIN_TEXT_PX, else 10 px on the hottest node near the top. */
  function firstView(hottest?: string): d3.ZoomTransform {
    const k = MIN_TEXT_PX / (LABEL_UNITS * fitScale())
    if (k <= 1) return d3.zoomIdentity
    const all = nodes()
    const g = all.find((n) => nodeKey(n) === hottest) ?? all[0]
    const p = g && centreOf(g)
    return p ? centred(p, k, true) : d3.zoomIdentity
  }

  function show(text: string, view: { hottest?: string; at?: string; transform?: d3.ZoomTransform } = {}): void {
    host.replaceChildren()
    const el = sanitizeSvg(text)
    el.removeAttribute('width'); el.removeAttribute('height')
    el.setAttribute('class', 'callgraph')
    const wrap = document.createElementNS('http://www.w3.org/2000/svg', 'g')
    wrap.setAttribute('class', 'zoom-layer')
    while (el.firstChild) wrap.appendChild(el.firstChild)
    el.appendChild(wrap)
    host.appendChild(el)
    svg = d3.select(el)
    zoom = d3.zoom<SVGSVGElement, unknown>().scaleExtent([0.05, 20]).on('zoom', (e) => wrap.setAttribute('transform', e.transform.toString()))
    svg.call(zoom).on('dblclick.zoom', null)
    for (const g of Array.from(el.querySelectorAll<SVGGElement>('g.node'))) {
      if (nodeName(g) === LEGEND) { g.classList.add('legend'); continue }
      const key = nodeKey(g)
      g.addEventListener('click', (ev) => { ev.stopPropagation(); mark(key); on.select(key) })
      g.addEventListener('dblclick', (ev) => { ev.stopPropagation(); on.focus(key) })
    }
    let t = view.transform
    if (!t && view.at) {
      const g = nodes().find((n) => nodeKey(n) === view.at), p = g && centreOf(g)
      if (p) t = centred(p, Math.max(1, MIN_TEXT_PX / (LABEL_UNITS * fitScale())))
    }
    svg.call(zoom.transform, t ?? firstView(view.hottest))
  }

  /** Highlights the selected function's node; the layout and zoom stay. */
  function mark(key: string): void {
    for (const g of nodes()) g.classList.toggle('selected', nodeKey(g) === key)
  }

  /** Marks nodes whose function name contains `q` (case-insensitive); zooms to the first. */
  function search(q: string): number {
    if (!svg) return 0
    const needle = q.trim().toLowerCase()
    const all = nodes()
    const hits = all.filter((g) => needle !== '' && nodeName(g).toLowerCase().includes(needle))
    for (const g of all) {
      g.classList.toggle('match', hits.includes(g))
      // Dim only while something matches: a search that finds nothing leaves the graph as it is.
      g.classList.toggle('dim', hits.length > 0 && !hits.includes(g))
    }
    if (hits[0]) jumpTo(hits[0])
    return hits.length
  }

  function jumpTo(g: SVGGElement): void {
    if (!svg || !zoom) return
    const p = centreOf(g)
    if (!p) return
    const k = Math.max(1, Math.min(20, 1.3 / fitScale()))
    svg.transition().duration(300).call(zoom.transform, centred(p, k))
  }

  return {
    show, search, mark,
    /** Label size over MIN_TEXT_PX when the whole graph is fitted into the box (≥ 1: it fits legibly). */
    labelScale(): number { return svg ? (LABEL_UNITS * fitScale()) / MIN_TEXT_PX : 1 },
    transform(): d3.ZoomTransform | undefined { return svg ? d3.zoomTransform(svg.node()!) : undefined },
    clear(): void { host.replaceChildren(); svg = undefined },
  }
}
