// toPprof(profile) → a pprof Profile message (profile.proto), gzipped unless told not to,
// encoded with the pprof-format library, for go tool pprof, Pyroscope, Grafana, speedscope.
// Spec: github.com/google/pprof/blob/main/proto/profile.proto.
// Sample types follow the producers' conventions: sampled time (V8 CPU profiles) is
// samples/count + cpu/nanoseconds; exact time (sonde traces) time/nanoseconds; heap
// space/bytes; call counts calls/count; other counts samples/count. The main type is the
// default_sample_type. One function and one location per frame: a location's line is the
// function's start line and column (the model knows no sampled line). One sample per
// calling context with non-zero values, its locations leaf first; with several threads
// each sample carries a `thread_name` label. Exact graphs (fprof, callgrind) have no
// stacks and cannot be written.
import { gzipSync } from 'node:zlib'
import { Function as PprofFunction, Label, Line, Location, Profile as PprofProfile, Sample, StringTable, ValueType } from 'pprof-format'
import { OptionError, type Profile, type ProfileThread } from '../model/profile'

const NS_PER: Record<string, number> = { nanoseconds: 1, microseconds: 1e3, milliseconds: 1e6, seconds: 1e9 }

interface Column {
  type: string
  unit: string
  value: (t: ProfileThread, node: number) => number
}

function countsPerNode(t: ProfileThread): Float64Array {
  const counts = new Float64Array(t.tree!.size)
  for (const leaf of t.samples!.leaf) counts[leaf]++
  return counts
}

/** The value columns for this profile, the main one last. */
export function pprofColumns(p: Profile, threads: ProfileThread[]): Column[] {
  const self = (t: ProfileThread, v: number) => t.tree!.self[v]
  const cols: Column[] = []
  if (threads.some((t) => t.tree!.hasCalls) && p.unit !== 'calls') cols.push({ type: 'calls', unit: 'count', value: (t, v) => (t.tree!.hasCalls ? t.tree!.calls[v] : 0) })
  const ns = NS_PER[p.unit]
  if (ns !== undefined) {
    const sampled = threads.every((t) => t.samples && !t.samples.exact)
    if (sampled) {
      const counts = new Map(threads.map((t) => [t, countsPerNode(t)]))
      cols.push({ type: 'samples', unit: 'count', value: (t, v) => counts.get(t)![v] })
    }
    cols.push({ type: sampled ? 'cpu' : 'time', unit: 'nanoseconds', value: (t, v) => Math.round(self(t, v) * ns) })
  } else if (p.unit === 'bytes') cols.push({ type: 'space', unit: 'bytes', value: self })
  else if (p.unit === 'calls') cols.push({ type: 'calls', unit: 'count', value: self })
  else cols.push({ type: p.unit === 'samples' ? 'samples' : 'value', unit: 'count', value: self })
  return cols
}

export interface PprofOptions {
  /** gzip the message (default true; `.pb.gz` files and most back ends expect it). */
  gzip?: boolean
}

export function toPprof(p: Profile, o: PprofOptions = {}): Buffer {
  const threads = p.threads.filter((t) => t.tree)
  if (!threads.length) throw new OptionError('pprof: the profile has no stacks to write (an exact call graph from fprof or callgrind has none; write its call graph instead)')
  const strings = new StringTable()
  const cols = pprofColumns(p, threads)
  const locOf = new Map<number, number>()
  const locations: Location[] = []
  const functions: PprofFunction[] = []
  const location = (frameId: number): number => {
    let id = locOf.get(frameId)
    if (id !== undefined) return id
    id = locations.length + 1
    const f = p.frames.get(frameId)
    const name = strings.dedup(f.name)
    functions.push(new PprofFunction({ id, name, systemName: name, filename: strings.dedup(f.file ?? f.module ?? ''), startLine: f.line ?? 0 }))
    locations.push(new Location({ id, line: [new Line({ functionId: id, line: f.line ?? 0, column: f.column ?? 0 })] }))
    locOf.set(frameId, id)
    return id
  }
  const threadKey = threads.length > 1 ? strings.dedup('thread_name') : 0
  const samples: Sample[] = []
  for (const t of threads) {
    const tree = t.tree!
    const label = threadKey ? [new Label({ key: threadKey, str: strings.dedup(t.name) })] : []
    for (let v = 0; v < tree.size; v++) {
      const value = cols.map((c) => c.value(t, v))
      if (value.every((x) => x === 0)) continue
      const locationId: number[] = []
      for (let n = v; n > 0; n = tree.parent[n]) locationId.push(location(tree.frame[n]))
      samples.push(new Sample({ locationId, value, label }))
    }
  }
  const main = cols[cols.length - 1]
  const sampleType = cols.map((c) => new ValueType({ type: strings.dedup(c.type), unit: strings.dedup(c.unit) }))
  const spans = threads.filter((t) => t.startValue !== undefined && t.endValue !== undefined)
  const ns = NS_PER[p.unit]
  const durationNanos = ns && spans.length ? Math.round(Math.max(...spans.map((t) => t.endValue! - t.startValue!)) * ns) : 0
  const pp = new PprofProfile({
    sampleType, sample: samples, location: locations, function: functions, stringTable: strings,
    defaultSampleType: strings.dedup(main.type), durationNanos,
    ...(main.unit === 'nanoseconds' ? { periodType: new ValueType({ type: strings.dedup(main.type), unit: strings.dedup('nanoseconds') }) } : {}),
  })
  const raw = Buffer.from(pp.encode())
  return o.gzip === false ? raw : gzipSync(raw)
}
