// Readable summary of a bpftrace result for `sonde trace`: histograms as count and the bucket
// that holds p50 / p90 / p99 / the largest value, in the map's unit (from its name: @lat_us is
// in µs; a bucket far above 1000 µs reads in ms); maps sorted by value (top 20); stats; the
// last printf lines. Percentiles are not interpolated: bpftrace keeps only bucket counts, so
// all that is known of p99 is the bucket it falls in, printed with its bounds ([32, 64) µs).
// Two maps of the same events (a hist and an lhist) then give ranges that both hold the truth.
import type { TraceResult } from '../bpftrace/output'
import type { BpftraceBucket } from '../bpftrace/histogram'

const UNIT_LABEL: [RegExp, string][] = [[/_ns$/, 'ns'], [/_us$/, 'µs'], [/_ms$/, 'ms'], [/_bytes$/, 'B'], [/_kb$/, 'KiB'], [/_mb$/, 'MiB']]

/** The unit a map's values are in, from its name's suffix; '' when it has none. */
export function mapUnitLabel(name: string): string {
  const n = name.replace(/^@/, '').toLowerCase()
  for (const [re, label] of UNIT_LABEL) if (re.test(n)) return label
  return ''
}

// Each unit's size in its base (ns or bytes), and the ladder a bound may be shown in.
const TIME: [string, number][] = [['ns', 1], ['µs', 1e3], ['ms', 1e6], ['s', 1e9]]
const BYTES: [string, number][] = [['B', 1], ['KiB', 1024], ['MiB', 1024 ** 2], ['GiB', 1024 ** 3]]
const LADDER: Record<string, [string, number][]> = { ns: TIME, 'µs': TIME, ms: TIME, B: BYTES, KiB: BYTES, MiB: BYTES }

/** A raw bound (no unit) as bpftrace prints it: 1024-multiples as K/M/G/T, others as integers. */
function rawBound(v: number): string {
  for (const [s, m] of [['T', 2 ** 40], ['G', 2 ** 30], ['M', 2 ** 20], ['K', 2 ** 10]] as const) {
    if (Math.abs(v) >= m && v % m === 0) return `${v / m}${s}`
  }
  return String(v)
}

function num(v: number): string {
  if (v === 0 || Math.abs(v) >= 100) return String(Math.round(v))
  return String(Number(v.toPrecision(3)))
}

/**
 * Bounds [lo, hi) of the map's unit shown in the unit that suits them (the lower bound picks:
 * [64K, 128K) µs reads [65.5, 131) ms); without a unit, as bpftrace prints them.
 */
function showRange(lo: number | undefined, hi: number | undefined, unit: string): string {
  const ladder = LADDER[unit]
  if (!ladder) {
    if (lo === undefined) return `< ${rawBound(hi!)}`
    if (hi === undefined) return `≥ ${rawBound(lo)}`
    return hi === lo + 1 ? rawBound(lo) : `[${rawBound(lo)}, ${rawBound(hi)})`
  }
  const size = ladder.find(([u]) => u === unit)![1]
  const pick = (lo !== undefined && lo > 0 ? lo : hi ?? 0) * size
  let [name, scale] = ladder[0]
  for (const [u, m] of ladder) if (pick >= m) [name, scale] = [u, m]
  const f = (v: number): string => num((v * size) / scale)
  if (lo === undefined) return `< ${f(hi!)} ${name}`
  if (hi === undefined) return `≥ ${f(lo)} ${name}`
  return hi === lo + 1 && size === scale ? `${f(lo)} ${name}` : `[${f(lo)}, ${f(hi)}) ${name}`
}

/** The bucket as a half-open range of the values it holds ({min, max} holds min..max), with its unit. */
export function bucketRange(b: BpftraceBucket, unit = ''): string {
  const lo = b.min, hi = b.min === undefined ? (b.max ?? -1) + 1 : b.max === undefined ? undefined : b.max + 1
  return showRange(lo, hi, unit)
}

/** The bucket holding the value of rank ⌈q·count⌉ (q = 1: the largest value). */
export function quantileBucket(buckets: BpftraceBucket[], q: number): BpftraceBucket | undefined {
  const total = buckets.reduce((a, b) => a + (b.count > 0 ? b.count : 0), 0)
  if (!total) return undefined
  const rank = Math.max(1, Math.ceil(q * total))
  let seen = 0
  for (const b of buckets) {
    if (!(b.count > 0)) continue
    seen += b.count
    if (seen >= rank) return b
  }
  return undefined
}

function histLine(key: string, buckets: BpftraceBucket[], unit: string): string {
  const count = buckets.reduce((a, b) => a + (b.count > 0 ? b.count : 0), 0)
  const at = (q: number): string => { const b = quantileBucket(buckets, q); return b ? bucketRange(b, unit) : '-' }
  const cols = [['p50', 0.5], ['p90', 0.9], ['p99', 0.99], ['max', 1]] as const
  return `  ${(key || '(all)').padEnd(28)} count ${String(count).padStart(7)}  ${cols.map(([n, q]) => `${n} ${at(q).padEnd(18)}`).join(' ').trimEnd()}`
}

export function formatTraceResult(r: TraceResult, top = 20, printfShown = 50): string {
  const out: string[] = []
  for (const [name, entries] of Object.entries(r.histograms)) {
    const unit = mapUnitLabel(name)
    out.push(`${name}${unit ? ` (${unit}; each value is the bucket that holds it)` : ' (each value is the bucket that holds it)'}`)
    for (const e of entries.slice(0, top)) out.push(histLine(e.key, e.buckets, unit))
    if (entries.length > top) out.push(`  … ${entries.length - top} more keys (--json for all)`)
  }
  for (const [name, v] of Object.entries(r.maps)) {
    const unit = mapUnitLabel(name)
    if (typeof v === 'number') { out.push(`${name}: ${v}${unit ? ` ${unit}` : ''}`); continue }
    const rows = Object.entries(v).sort((a, b) => b[1] - a[1])
    out.push(`${name}${unit ? ` (${unit})` : ''}`)
    for (const [k, x] of rows.slice(0, top)) out.push(`  ${String(x).padStart(12)}  ${k.replace(/\n\s*/g, ' ← ').trim()}`)
    if (rows.length > top) out.push(`  … ${rows.length - top} more keys (--json for all)`)
  }
  for (const [name, v] of Object.entries(r.stats)) {
    const unit = mapUnitLabel(name)
    out.push(`${name}${unit ? ` (${unit})` : ''}`)
    for (const [k, s] of Object.entries(v).slice(0, top)) out.push(`  ${(k || '(all)').padEnd(28)} count ${s.count}  average ${s.average}  total ${s.total}`)
  }
  if (r.printf.length) {
    const total = r.printf.length + r.printfDropped
    const shown = r.printf.slice(-printfShown)
    out.push(`printf (${total} lines${total > shown.length ? `, the last ${shown.length} shown` : ''}):`)
    if (total > shown.length) out.push(`  … ${total - shown.length} more before these (--json for the last ${r.printf.length})`)
    for (const l of shown) out.push(`  ${l}`)
  }
  if (r.lostEvents) out.push(`lost events: ${r.lostEvents}`)
  if (!out.length) out.push('(no events)')
  return out.join('\n') + '\n'
}
