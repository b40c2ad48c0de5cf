// Number formatting for the views (durations in ns, bytes, rates, ratios).
export function ns(v: number): string {
  if (!Number.isFinite(v)) return '–'
  if (v < 1e3) return `${v.toFixed(0)} ns`
  if (v < 1e6) return `${(v / 1e3).toFixed(v < 1e4 ? 1 : 0)} µs`
  if (v < 1e9) return `${(v / 1e6).toFixed(v < 1e7 ? 2 : 1)} ms`
  return `${(v / 1e9).toFixed(2)} s`
}

export function bytes(v: number): string {
  if (!Number.isFinite(v)) return '–'
  const u = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let i = 0
  while (Math.abs(v) >= 1024 && i < u.length - 1) { v /= 1024; i++ }
  return `${v.toFixed(i === 0 ? 0 : v < 10 ? 1 : 0)} ${u[i]}`
}

export function pct(r: number): string { return Number.isFinite(r) ? `${(r * 100).toFixed(r < 0.1 ? 2 : 1)} %` : '–' }
export function rate(r: number): string { return Number.isFinite(r) ? `${r < 10 ? r.toFixed(1) : r.toFixed(0)}/s` : '–' }
export function clock(ms: number): string { return new Date(ms).toLocaleTimeString([], { hour12: false }) }

const NS_PER: Record<string, number> = { nanoseconds: 1, microseconds: 1e3, milliseconds: 1e6, seconds: 1e9 }

/** A profile value in its unit, scaled: "2.27 s", "77.3k samples", "1.5 MiB", "1,204 calls". */
export function valueIn(unit: string, v: number): string {
  if (!Number.isFinite(v)) return '–'
  if (NS_PER[unit] !== undefined) return ns(v * NS_PER[unit])
  if (unit === 'bytes') return bytes(v)
  const n = Math.abs(v) < 1e4 ? Math.round(v).toLocaleString('en-US') : si(v)
  return unit === 'samples' || unit === 'calls' ? `${n} ${v === 1 ? unit.slice(0, -1) : unit}` : n
}

function si(v: number): string {
  const [d, s] = Math.abs(v) >= 1e9 ? [1e9, 'G'] : Math.abs(v) >= 1e6 ? [1e6, 'M'] : [1e3, 'k']
  const x = v / d
  return `${Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 10 ? x.toFixed(1) : x.toFixed(2)}${s}`
}

/** "1 function", "3 functions". */
export function plural(n: number, one: string, many = `${one}s`): string { return `${n} ${n === 1 ? one : many}` }
