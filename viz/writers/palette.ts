// Colours. Heat: ColorBrewer YlOrRd (marked colour-blind safe: lightness falls monotonically,
// so order survives any colour-vision deficiency and greyscale printing), with gprof2dot's
// skew (values < 1 spread the low percentages). Diff: ColorBrewer RdBu reversed (blue =
// less, red = more; colour-blind safe). Per-module hue keeps the heat's lightness.
const YLORRD = ['#ffffcc', '#ffeda0', '#fed976', '#feb24c', '#fd8d3c', '#fc4e2a', '#e31a1c', '#bd0026', '#800026']
const RDBU = ['#2166ac', '#4393c3', '#92c5de', '#d1e5f0', '#f7f7f7', '#fddbc7', '#f4a582', '#d6604d', '#b2182b']

type Rgb = [number, number, number]
const rgb = (h: string): Rgb => [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16)) as Rgb
const hex = (c: Rgb) => '#' + c.map((x) => Math.round(Math.max(0, Math.min(255, x))).toString(16).padStart(2, '0')).join('')

function ramp(stops: string[], t: number): string {
  const x = Math.max(0, Math.min(1, t)) * (stops.length - 1)
  const i = Math.min(Math.floor(x), stops.length - 2), f = x - i
  const a = rgb(stops[i]), b = rgb(stops[i + 1])
  return hex([a[0] + (b[0] - a[0]) * f, a[1] + (b[1] - a[1]) * f, a[2] + (b[2] - a[2]) * f])
}

/** gprof2dot's skew: t' = (skew^t − 1)/(skew − 1); skew 1 is linear. */
export function skewed(t: number, skew = 1): number {
  const x = Math.max(0, Math.min(1, t))
  if (skew <= 0 || Math.abs(skew - 1) < 1e-9) return x
  return (Math.pow(skew, x) - 1) / (skew - 1)
}

/** Heat colour for a fraction 0..1 of the whole. */
export function heatColor(t: number, skew = 1): string {
  return ramp(YLORRD, skewed(t, skew))
}

/** Diverging colour for a signed change −1..1 (0 is neutral). */
export function divergingColor(t: number): string {
  return ramp(RDBU, (Math.max(-1, Math.min(1, t)) + 1) / 2)
}

function luminance(h: string): number {
  const [r, g, b] = rgb(h).map((c) => { const s = c / 255; return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4 })
  return 0.2126 * r + 0.7152 * g + 0.0722 * b
}

/** Black or white, whichever contrasts more with the fill. */
export function textColorFor(fill: string): string {
  return luminance(fill) > 0.18 ? '#000000' : '#ffffff'
}

/** Same heat lightness, hue from the module name (stable hash), for --module-hue. */
export function moduleColor(module: string, t: number, skew = 1): string {
  let h = 2166136261
  for (let i = 0; i < module.length; i++) h = Math.imul(h ^ module.charCodeAt(i), 16777619)
  const hue = ((h >>> 0) % 360) / 360
  const light = 0.92 - 0.55 * skewed(t, skew), sat = 0.65
  const q = light < 0.5 ? light * (1 + sat) : light + sat - light * sat, p = 2 * light - q
  const chan = (x: number) => {
    const k = (x + 1) % 1
    if (k < 1 / 6) return p + (q - p) * 6 * k
    if (k < 1 / 2) return q
    if (k < 2 / 3) return p + (q - p) * (2 / 3 - k) * 6
    return p
  }
  return hex([chan(hue + 1 / 3) * 255, chan(hue) * 255, chan(hue - 1 / 3) * 255])
}

export const PSEUDO_FILL = '#e8e8e8'
export const PSEUDO_TEXT = '#505050'
