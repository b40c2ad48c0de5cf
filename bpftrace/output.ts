// Parser for `bpftrace -f json` output (bpftrace 0.17): one JSON object per line,
//   {"type": "attached_probes", "data": {"probes": 2}}
//   {"type": "printf", "data": "x 1 hi\n"}
//   {"type": "map", "data": {"@c": 597}}                      (count/sum/min/max, unkeyed)
//   {"type": "map", "data": {"@g": {"8,k": 1277044}}}         (keyed; tuple keys joined by ",")
//   {"type": "stats", "data": {"@s": {"1,0": {"count": 299, "average": 2031755, "total": 607494775}}}}
//   {"type": "stats", "data": {"@a": {"": 1212965}}}          (avg(): a plain number per key)
//   {"type": "hist", "data": {"@l": [{"min": 0, "max": 99, "count": 372}, …, {"min": 1000, "count": 40}]}}
//   {"type": "hist", "data": {"@h": {"0": [ … buckets … ], "1": [ … ]}}}   (keyed hist/lhist)
// Quirks: a stack key (ustack/kstack) can appear twice in one object when two stack ids print
// the same text (deeper frames cut off), so map objects are read with a duplicate-summing
// reader instead of JSON.parse's last-wins; empty lines separate prints; anything that is not
// JSON (warnings) is kept as a note. Histograms become the collectors' log-linear model when
// the map name carries a unit suffix (_ns, _us, _ms, _bytes, _kb, _mb), see bpftrace-histogram.ts.
import { JsonObject, readJson } from './json'
import { bucketsToHistogram, rawBucketQuantile, unitOfMapName, type BpftraceBucket } from './histogram'
import { summarize, type HistogramSnapshot } from '../collectors/histogram'

export interface HistogramEntry {
  key: string
  /** Base unit after conversion, or null when the map name has no unit suffix (raw values). */
  unit: 'ns' | 'bytes' | null
  buckets: BpftraceBucket[]
  /** The collectors' model (base units), when the unit is known. */
  histogram?: HistogramSnapshot
  summary: { count: number; min: number; max: number; mean: number; p50: number; p90: number; p99: number }
}

export interface StatsEntry { count: number; average: number; total: number }

export interface TraceResult {
  attachedProbes: number
  /** printf lines, oldest dropped beyond the cap. */
  printf: string[]
  printfDropped: number
  /** Scalar and keyed maps (count, sum, min, max, avg): name → value or key → value. */
  maps: Record<string, number | Record<string, number>>
  stats: Record<string, Record<string, StatsEntry>>
  histograms: Record<string, HistogramEntry[]>
  /** Every print of each count/sum map, oldest dropped beyond maxSeries (interval one-liners). */
  series: Record<string, (number | Record<string, number>)[]>
  /** How many map/hist/stats prints were seen (interval prints make this grow). */
  prints: number
  /** Lines that were not JSON or were bpftrace errors/warnings. */
  notes: string[]
  lostEvents: number
}

export interface ParserLimits { maxPrintf: number; maxKeys: number; maxNotes: number; maxSeries: number }
export const DEFAULT_LIMITS: ParserLimits = { maxPrintf: 1000, maxKeys: 10_000, maxNotes: 50, maxSeries: 600 }

export function emptyResult(): TraceResult {
  return { attachedProbes: 0, printf: [], printfDropped: 0, maps: {}, series: {}, stats: {}, histograms: {}, prints: 0, notes: [], lostEvents: 0 }
}

function note(r: TraceResult, lim: ParserLimits, s: string): void {
  if (r.notes.length < lim.maxNotes) r.notes.push(s.length > 500 ? s.slice(0, 500) + '…' : s)
}

/** Feed one output line; returns the kind of line seen ('map', 'printf', … or null for blank/ignored). */
export function parseBpftraceLine(r: TraceResult, line: string, lim: ParserLimits = DEFAULT_LIMITS): string | null {
  const t = line.trim()
  if (!t) return null
  if (t[0] !== '{') { note(r, lim, t); return 'note' }
  let type: string
  try {
    const head = /^\{"type":\s*"([a-z_]+)"/.exec(t)
    if (!head) throw new Error('no type')
    type = head[1]
    if (type === 'printf' || type === 'time') { addPrintf(r, lim, JSON.parse(t).data); return type }
    if (type === 'attached_probes') { r.attachedProbes = Number(JSON.parse(t).data?.probes) || 0; return type }
    if (type === 'lost_events') { r.lostEvents += Number(JSON.parse(t).data?.events) || 0; return type }
    if (type === 'map' || type === 'hist' || type === 'stats') { addMaps(r, lim, type, t); r.prints++; return type }
    note(r, lim, t)
    return type
  } catch (err) {
    note(r, lim, `unparsed bpftrace output: ${t.slice(0, 200)}`)
    return 'note'
  }
}

function addPrintf(r: TraceResult, lim: ParserLimits, data: unknown): void {
  const text = String(data)
  for (const l of text.split('\n')) {
    if (!l) continue
    r.printf.push(l)
    if (r.printf.length > lim.maxPrintf) { r.printf.shift(); r.printfDropped++ }
  }
}

function addMaps(r: TraceResult, lim: ParserLimits, type: string, text: string): void {
  const outer = readJson(text)
  const data = outer instanceof JsonObject ? outer.get('data') : undefined
  if (!(data instanceof JsonObject)) throw new Error('no data')
  for (const [name, value] of data.entries) {
    if (type === 'hist') r.histograms[name] = histEntries(name, value, lim)
    else if (type === 'stats') r.stats[name] = statsEntries(value, lim, r, name)
    else {
      const v = mapValue(value, lim)
      r.maps[name] = v
      const ser = r.series[name] ?? (r.series[name] = [])
      ser.push(v)
      if (ser.length > lim.maxSeries) ser.shift()
    }
  }
}

function mapValue(v: unknown, lim: ParserLimits): number | Record<string, number> {
  if (typeof v === 'number') return v
  const out: Record<string, number> = {}
  if (!(v instanceof JsonObject)) return out
  let n = 0
  for (const [k, x] of v.entries) {
    if (typeof x !== 'number') continue
    if (Object.prototype.hasOwnProperty.call(out, k)) out[k] += x // duplicate stack text: sum
    else { if (n++ >= lim.maxKeys) continue; out[k] = x }
  }
  return out
}

function statsEntries(v: unknown, lim: ParserLimits, r: TraceResult, name: string): Record<string, StatsEntry> {
  const out: Record<string, StatsEntry> = {}
  if (!(v instanceof JsonObject)) return out
  if (typeof v.get('count') === 'number' && typeof v.get('average') === 'number') {
    // unkeyed stats(): the object is the value itself
    out[''] = { count: Number(v.get('count')), average: Number(v.get('average')), total: Number(v.get('total')) || 0 }
    return out
  }
  let n = 0
  for (const [k, x] of v.entries) {
    if (n++ >= lim.maxKeys) break
    if (typeof x === 'number') {
      // avg() prints as "stats" with a bare average per key: keep it as a map
      const prev = r.maps[name]
      const m = prev && typeof prev === 'object' ? prev : (r.maps[name] = {})
      m[k] = x
      continue
    }
    if (!(x instanceof JsonObject)) continue
    out[k] = { count: Number(x.get('count')) || 0, average: Number(x.get('average')) || 0, total: Number(x.get('total')) || 0 }
  }
  return out
}

function toBuckets(v: unknown): BpftraceBucket[] {
  if (!Array.isArray(v)) return []
  return v.filter((b): b is JsonObject => b instanceof JsonObject).map((b) => {
    const min = b.get('min'), max = b.get('max')
    return { min: typeof min === 'number' ? min : undefined, max: typeof max === 'number' ? max : undefined, count: Number(b.get('count')) || 0 }
  })
}

function histEntries(name: string, v: unknown, lim: ParserLimits): HistogramEntry[] {
  // unkeyed: an array of bucket objects; keyed: an object of key → bucket array
  const raw: [string, BpftraceBucket[]][] = v instanceof JsonObject
    ? v.entries.slice(0, lim.maxKeys).map(([k, b]) => [k, toBuckets(b)])
    : [['', toBuckets(v)]]
  const unit = unitOfMapName(name)
  return raw.map(([key, buckets]) => histEntry(key, buckets, unit))
}
function histEntry(key: string, buckets: BpftraceBucket[], unit: ReturnType<typeof unitOfMapName>): HistogramEntry {
  if (unit) {
    const h = bucketsToHistogram(buckets, unit)
    return { key, unit: unit.base, buckets, histogram: h.snapshot(), summary: summarize(h) }
  }
  const count = buckets.reduce((a, b) => a + b.count, 0)
  const nz = buckets.filter((b) => b.count > 0)
  const lo = nz.length ? (nz[0].min ?? nz[0].max ?? 0) : 0
  const hi = nz.length ? (nz[nz.length - 1].max ?? nz[nz.length - 1].min ?? 0) : 0
  const mean = count ? nz.reduce((a, b) => a + b.count * (((b.min ?? b.max ?? 0) + (b.max ?? b.min ?? 0)) / 2), 0) / count : 0
  return {
    key, unit: null, buckets,
    summary: { count, min: lo, max: hi, mean, p50: rawBucketQuantile(buckets, 0.5), p90: rawBucketQuantile(buckets, 0.9), p99: rawBucketQuantile(buckets, 0.99) },
  }
}
