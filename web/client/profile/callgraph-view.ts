// The call graph SVG rendered server-side by viz (Graphviz WASM), shown with d3-zoom pan and
// zoom. The SVG is parsed as XML and stripped of anything active (script, foreignObject,
// on* attributes, hrefs) before it enters the page. Search marks matching nodes and zooms to
// the first; a click on a node reports its function name (the first line of its tooltip).
import * as d3 from 'd3'

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

export function createCallGraphView(host: HTMLElement, onSelect: (name: string) => void) {
  let svg: d3.Selection<SVGSVGElement, unknown, null, undefined> | undefined
  let zoom: d3.ZoomBehavior<SVGSVGElement, unknown> | undefined

  function show(text: string): void {
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
      g.addEventListener('click', (ev) => { ev.stopPropagation(); onSelect(nodeName(g)) })
    }
  }

  /** Marks nodes whose function name contains `q` (case-insensitive); zooms to the first. */
  function search(q: string): number {
    if (!svg) return 0
    const needle = q.trim().toLowerCase()
    const nodes = Array.from(svg.node()!.querySelectorAll<SVGGElement>('g.node'))
    let first: SVGGElement | undefined, n = 0
    for (const g of nodes) {
      const hit = needle !== '' && nodeName(g).toLowerCase().includes(needle)
      g.classList.toggle('match', hit)
      g.classList.toggle('dim', needle !== '' && !hit)
      if (hit) { n++; first ??= g }
    }
    if (first) jumpTo(first)
    return n
  }

  function jumpTo(g: SVGGElement): void {
    if (!svg || !zoom) return
    const el = svg.node()!
    const layer = el.querySelector<SVGGElement>('g.zoom-layer')
    const toLayer = layer?.getScreenCTM()?.inverse().multiply(g.getScreenCTM() ?? new DOMMatrix())
    if (!toLayer) return
    const box = g.getBBox()
    // The node's centre in the zoom layer's own (un-zoomed) coordinates.
    const p = new DOMPoint(box.x + box.width / 2, box.y + box.height / 2).matrixTransform(toLayer)
    const vb = el.viewBox.baseVal
    const w = vb && vb.width ? vb.width : el.clientWidth, h = vb && vb.height ? vb.height : el.clientHeight
    // Zoom so that the node shows at ~1.3 screen px per SVG unit (the SVG is fitted into its box).
    const fit = Math.min(el.clientWidth / w, el.clientHeight / h) || 1
    const k = Math.max(1, Math.min(20, 1.3 / fit))
    const t = d3.zoomIdentity.translate((vb?.x ?? 0) + w / 2, (vb?.y ?? 0) + h / 2).scale(k).translate(-p.x, -p.y)
    svg.transition().duration(300).call(zoom.transform, t)
  }

  return {
    show, search,
    reset(): void { if (svg && zoom) svg.call(zoom.transform, d3.zoomIdentity) },
    clear(): void { host.replaceChildren(); svg = undefined },
  }
}
