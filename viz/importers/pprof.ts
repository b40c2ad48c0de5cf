// pprof profiles (profile.proto: Go's runtime/pprof, @datadog/pprof, Pyroscope, Parca,
// Google Cloud Profiler), gzipped or not, decoded with the pprof-format library.
// Spec: github.com/google/pprof/blob/main/proto/profile.proto.
//   1f 8b 08 …                        gzip of the protobuf below
//   0a 0e 08 01 10 02 …               field 1 (sample_type), then samples, locations, functions
// One sample type is read: the one `sampleType` names (a metric: time, samples, bytes or
// calls), else default_sample_type, else the last one (go tool pprof's rule). A location's
// lines are innermost first (inlined functions), its sample's locations leaf first; both
// are reversed into root-first stacks. A frame is a function (name, file, start line); the
// sampled line is not part of it. A location without lines is named by its address and
// mapping. Labels are ignored: every sample goes to one thread.
import { constants as zlibConstants, gunzipSync } from 'node:zlib'
import { Profile as PprofProfile, type Function as PprofFunction, type Location as PprofLocation } from 'pprof-format'
import { createProfile, CallTree, ParseError, type FrameInfo, type Profile, type ValueUnit } from '../model/profile'

const GZIP = [0x1f, 0x8b]

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === GZIP[0] && bytes[1] === GZIP[1]
}

/** Wire types profile.proto gives each top-level field of Profile (0 varint, 2 length-delimited). */
const WIRE: Record<number, number[]> = { 1: [2], 2: [2], 3: [2], 4: [2], 5: [2], 6: [2], 7: [0], 8: [0], 9: [0], 10: [0], 11: [2], 12: [0], 13: [0, 2], 14: [0], 15: [0] }

/** A varint at `i`: [value, next index]; 'end' when the bytes run out, 'bad' past 10 bytes. */
function varint(b: Uint8Array, i: number): [number, number] | 'end' | 'bad' {
  let v = 0, mul = 1
  for (let k = 0; k < 10; k++) {
    if (i + k >= b.length) return 'end'
    const c = b[i + k]
    v += (c & 0x7f) * mul
    mul *= 128
    if (c < 0x80) return [v, i + k + 1]
  }
  return 'bad'
}

/** The top-level fields of a Profile message: how many parse, and why the walk stopped —
 * 'end' exactly at the end of the bytes, 'overrun' a field running past it, 'bad' a key or
 * varint profile.proto does not allow (at byte `at`). */
function scanFields(b: Uint8Array): { fields: number; stop: 'end' | 'overrun' | 'bad'; at: number } {
  let i = 0, fields = 0
  while (i < b.length) {
    const key = varint(b, i)
    if (key === 'bad') return { fields, stop: 'bad', at: i }
    if (key === 'end') return { fields, stop: 'overrun', at: i }
    const field = Math.floor(key[0] / 8), wire = key[0] % 8
    if (!WIRE[field]?.includes(wire)) return { fields, stop: 'bad', at: i }
    const value = varint(b, key[1])
    if (value === 'bad') return { fields, stop: 'bad', at: i }
    const next = value === 'end' ? Infinity : wire === 2 ? value[1] + value[0] : value[1]
    if (next > b.length) return { fields, stop: 'overrun', at: i }
    i = next
    fields++
  }
  return { fields, stop: 'end', at: i }
}

/**
 * The bytes parse as the start of a Profile message: every top-level field has a number and
 * wire type profile.proto gives Profile, up to the end of the bytes (or a field that runs
 * past them), two fields at least. Encoders differ in field order (Go writes time_nanos
 * first, pprof-format sample_type), so no order is assumed. Text fails within a few bytes:
 * most printable characters are keys of no Profile field.
 */
function isRawPprof(b: Uint8Array): boolean {
  const s = scanFields(b)
  return s.stop !== 'bad' && s.fields >= 2
}

/** The first bytes a gzip stream inflates to, even when it is truncated or corrupt later. */
function inflatedHead(bytes: Uint8Array): Uint8Array {
  try {
    return gunzipSync(bytes.subarray(0, 4096), { finishFlush: zlibConstants.Z_SYNC_FLUSH })
  } catch {
    return new Uint8Array(0)
  }
}

/** pprof, gzipped or not: the (inflated) head is a Profile message. */
export function isPprofBytes(bytes: Uint8Array): boolean {
  return isRawPprof(isGzip(bytes) ? inflatedHead(bytes) : bytes)
}

function num(v: number | bigint): number {
  return typeof v === 'bigint' ? Number(v) : v
}

/** pprof unit (and type) → the model's unit. */
export function unitOfPprof(type: string, unit: string): ValueUnit {
  if (['nanoseconds', 'microseconds', 'milliseconds', 'seconds', 'bytes'].includes(unit)) return unit as ValueUnit
  if (unit === 'count' || unit === '') return /call/i.test(type) ? 'calls' : 'samples'
  return 'none'
}

const METRIC_UNITS: Record<string, ValueUnit[]> = {
  time: ['nanoseconds', 'microseconds', 'milliseconds', 'seconds'], bytes: ['bytes'], samples: ['samples'], calls: ['calls'],
}

function decode(bytes: Uint8Array, name: string): PprofProfile {
  let raw = bytes
  if (isGzip(bytes)) {
    try { raw = gunzipSync(bytes) } catch (e) { throw new ParseError(name, undefined, `pprof: corrupt or truncated gzip data (${(e as Error).message})`) }
  }
  // pprof-format decodes a cut message silently (a field running past the end is cut short).
  const scan = scanFields(raw)
  if (scan.stop === 'overrun') throw new ParseError(name, undefined, `pprof: truncated protobuf (the field at byte ${scan.at} runs past the end, ${raw.length} bytes)`)
  if (scan.stop === 'bad') throw new ParseError(name, undefined, `pprof: not a protobuf Profile message (no Profile field at byte ${scan.at})`)
  try {
    return PprofProfile.decode(raw)
  } catch (e) {
    throw new ParseError(name, undefined, `pprof: not a protobuf Profile message (${(e as Error).message})`)
  }
}

/** Index of the sample type to read. */
function chooseType(units: ValueUnit[], types: string[], rawUnits: string[], defaultType: string | undefined, metric: string | undefined, name: string): number {
  const preferred = defaultType ? types.lastIndexOf(defaultType) : -1
  const fallback = preferred >= 0 ? preferred : types.length - 1
  if (metric === undefined) return fallback
  const wanted = METRIC_UNITS[metric] ?? []
  if (wanted.includes(units[fallback])) return fallback
  for (let i = units.length - 1; i >= 0; i--) if (wanted.includes(units[i])) return i
  throw new ParseError(name, undefined, `pprof: no sample type measures ${metric} (it has ${types.map((t, i) => `${t}/${rawUnits[i]}`).join(', ')})`)
}

export interface PprofImportOptions {
  /** time | samples | bytes | calls: read the sample type measuring this. */
  metric?: string
  /** The format was named (-f pprof): malformed input is an error, never null. */
  forced?: boolean
}

/** null when the bytes do not look like pprof, unless `o.forced` (the user named the format). */
export function importFromPprof(bytes: Uint8Array, name: string, o: PprofImportOptions = {}): Profile | null {
  if (!o.forced && !isPprofBytes(bytes)) return null
  const pp = decode(bytes, name)
  const strings = pp.stringTable.strings
  const str = (i: number | bigint, what: string): string => {
    const s = strings[num(i)]
    if (s === undefined) throw new ParseError(name, undefined, `pprof: ${what} names string ${num(i)}, beyond the string table (${strings.length})`)
    return s
  }
  if (!pp.sampleType.length) {
    if (!pp.sample.length && !pp.location.length) throw new ParseError(name, undefined, 'pprof: not a protobuf Profile message (no sample types, samples or locations)')
    throw new ParseError(name, undefined, 'pprof: the profile declares no sample type')
  }
  const types = pp.sampleType.map((t) => str(t.type, 'a sample type'))
  const rawUnits = pp.sampleType.map((t) => str(t.unit, 'a sample unit'))
  const units = rawUnits.map((u, i) => unitOfPprof(types[i], u))
  const defaultType = num(pp.defaultSampleType) ? str(pp.defaultSampleType, 'default_sample_type') : undefined
  const k = chooseType(units, types, rawUnits, defaultType, o.metric, name)
  const profile = createProfile(name, 'pprof', units[k])
  profile.meta.sampleType = `${types[k]}/${rawUnits[k]}`
  profile.meta.sampleTypes = types.join(',')
  const functions = new Map<number, PprofFunction>()
  for (const f of pp.function) functions.set(num(f.id), f)
  const mappings = new Map<number, string>()
  for (const m of pp.mapping) mappings.set(num(m.id), str(m.filename, `mapping ${num(m.id)}`))
  // Each location becomes its frame ids, root-first (outermost inlining caller first).
  const locFrames = new Map<number, number[]>()
  for (const loc of pp.location) locFrames.set(num(loc.id), framesOf(loc))

  function framesOf(loc: PprofLocation): number[] {
    const mapFile = mappings.get(num(loc.mappingId))
    const module = mapFile ? mapFile.replace(/^.*[/\\]/, '') : undefined
    if (!loc.line.length) {
      const info: FrameInfo = { name: `0x${num(loc.address).toString(16)}`, kind: 'native' }
      if (module) info.module = module
      return [profile.frames.intern(info)]
    }
    const out: number[] = []
    for (let i = loc.line.length - 1; i >= 0; i--) {
      const ln = loc.line[i]
      const f = functions.get(num(ln.functionId))
      if (!f) throw new ParseError(name, undefined, `pprof: location ${num(loc.id)} refers to function ${num(ln.functionId)}, which does not exist`)
      const fname = str(f.name, `function ${num(f.id)}`) || str(f.systemName, `function ${num(f.id)}`) || '(unknown)'
      const info: FrameInfo = { name: fname }
      const file = str(f.filename, `function ${num(f.id)}`)
      if (file) { info.file = file; info.module = file.replace(/^.*[/\\]/, '') } else if (module) info.module = module
      const start = num(f.startLine)
      if (start > 0) {
        info.line = start
        // A line at the function's own start carries its start column (sonde writes it so).
        if (num(ln.line) === start && num(ln.column) > 0) info.column = num(ln.column)
      }
      out.push(profile.frames.intern(info))
    }
    return out
  }

  const tree = new CallTree()
  const stack: number[] = []
  for (let s = 0; s < pp.sample.length; s++) {
    const sample = pp.sample[s]
    if (sample.value.length !== types.length) throw new ParseError(name, undefined, `pprof: sample ${s} has ${sample.value.length} values for ${types.length} sample types`)
    const w = num(sample.value[k])
    if (!Number.isFinite(w) || Math.abs(w) > Number.MAX_SAFE_INTEGER) throw new ParseError(name, undefined, `pprof: sample ${s} value ${w} is out of range`)
    stack.length = 0
    for (let i = sample.locationId.length - 1; i >= 0; i--) {
      const fr = locFrames.get(num(sample.locationId[i]))
      if (!fr) throw new ParseError(name, undefined, `pprof: sample ${s} refers to location ${num(sample.locationId[i])}, which does not exist`)
      for (const f of fr) stack.push(f)
    }
    tree.addStack(stack, w)
  }
  profile.meta.samples = pp.sample.length
  if (num(pp.period)) profile.meta.period = num(pp.period)
  if (num(pp.durationNanos)) profile.meta.durationNanos = num(pp.durationNanos)
  profile.threads.push({ name: 'main', tree })
  return profile
}
