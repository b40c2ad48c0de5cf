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
