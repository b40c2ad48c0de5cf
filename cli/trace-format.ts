// Readable summary of a bpftrace result for `sonde trace`: histograms as count / p50 / p90 /
// p99 / max in their unit, maps sorted by value (top 20), stats, the last printf lines.
import type { TraceResult } from '../bpftrace/output'

function fmt(v: number, unit: 'ns' | 'bytes' | null): string {
  if (unit === 'ns') {
    if (v >= 1e9) return `${(v / 1e9).toFixed(2)} s`
    if (v >= 1e6) return `${(v / 1e6).toFixed(2)} ms`
    if (v >= 1e3) return `${(v / 1e3).toFixed(1)} µs`
    return `${Math.round(v)} ns`
  }
  if (unit === 'bytes') {
    if (v >= 1 << 30) return `${(v / (1 << 30)).toFixed(2)} GiB`
    if (v >= 1 << 20) return `${(v / (1 << 20)).toFixed(2)} MiB`
    if (v >= 1024) return `${(v / 1024).toFixed(1)} KiB`
    return `${Math.round(v)} B`
  }
  return Number.isInteger(v) ? String(v) : v.toFixed(1)
}

export function formatTraceResult(r: TraceResult, top = 20): string {
  const out: string[] = []
  for (const [name, entries] of Object.entries(r.histograms)) {
    out.push(`${name}${entries[0]?.unit ? ` (${entries[0].unit})` : ''}`)
    for (const e of entries.slice(0, top)) {
      const s = e.summary
      out.push(`  ${(e.key || '(all)').padEnd(28)} count ${String(Math.round(s.count)).padStart(7)}  p50 ${fmt(s.p50, e.unit).padStart(10)}  p90 ${fmt(s.p90, e.unit).padStart(10)}  p99 ${fmt(s.p99, e.unit).padStart(10)}  max ${fmt(s.max, e.unit).padStart(10)}`)
    }
    if (entries.length > top) out.push(`  … ${entries.length - top} more keys (--json for all)`)
  }
  for (const [name, v] of Object.entries(r.maps)) {
    if (typeof v === 'number') { out.push(`${name}: ${v}`); continue }
    const rows = Object.entries(v).sort((a, b) => b[1] - a[1])
    out.push(`${name}`)
    for (const [k, x] of rows.slice(0, top)) out.push(`  ${String(x).padStart(12)}  ${k.replace(/\n\s*/g, ' ← ').trim()}`)
    if (rows.length > top) out.push(`  … ${rows.length - top} more keys (--json for all)`)
  }
  for (const [name, v] of Object.entries(r.stats)) {
    out.push(`${name}`)
    for (const [k, s] of Object.entries(v).slice(0, top)) out.push(`  ${(k || '(all)').padEnd(28)} count ${s.count}  average ${s.average}  total ${s.total}`)
  }
  if (r.printf.length) {
    out.push(`printf (${r.printf.length}${r.printfDropped ? ` of ${r.printf.length + r.printfDropped}` : ''} lines):`)
    for (const l of r.printf.slice(-50)) out.push(`  ${l}`)
  }
  if (r.lostEvents) out.push(`lost events: ${r.lostEvents}`)
  if (!out.length) out.push('(no events)')
  return out.join('\n') + '\n'
}
