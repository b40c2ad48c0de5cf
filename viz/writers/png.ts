// SVG → PNG with resvg (@resvg/resvg-js: Rust rasterizer, binary shipped in the platform
// npm package, no install-time download). Text uses the system fonts resvg finds; huge
// graphs are scaled down so the bitmap stays under `maxPixels`.
export interface PngOptions {
  /** Pixels per SVG point (default 1.5). */
  scale?: number
  /** Upper bound on width × height (default 64 M pixels). */
  maxPixels?: number
}

export function svgToPng(svg: string, o: PngOptions = {}): Buffer {
  const { Resvg } = require('@resvg/resvg-js') as typeof import('@resvg/resvg-js')
  const m = /<svg[^>]*\bwidth="([\d.]+)pt"[^>]*\bheight="([\d.]+)pt"/.exec(svg)
  const w = m ? Number(m[1]) : 1000, h = m ? Number(m[2]) : 1000
  let scale = o.scale ?? 1.5
  const maxPixels = o.maxPixels ?? 64e6
  if (w * h * scale * scale > maxPixels) scale = Math.sqrt(maxPixels / (w * h))
  const r = new Resvg(svg, {
    fitTo: { mode: 'width', value: Math.max(1, Math.round(w * scale * (4 / 3))) },
    background: '#ffffff',
    font: { loadSystemFonts: true, defaultFontFamily: 'Liberation Sans', sansSerifFamily: 'Liberation Sans' },
  })
  return r.render().asPng()
}
