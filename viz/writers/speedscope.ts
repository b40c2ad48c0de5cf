// toSpeedscope(profile) → speedscope's JSON file format, for its time-order, left-heavy and
// sandwich views. Spec: https://www.speedscope.app/file-format-schema.json (speedscope's
// src/lib/file-format-spec.ts).
//   {"$schema":"https://www.speedscope.app/file-format-schema.json","shared":{"frames":[{"name":"main"}]},
//    "profiles":[{"type":"sampled","name":"app","unit":"microseconds","startValue":0,"endValue":9,"samples":[[0]],"weights":[9]}]}
// One "sampled" profile per thread. Where the input kept its samples in time order (V8 CPU
// profiles; sonde traces as slices of running time, `suspend` waits left out) they are
// written in that order, so the time-order view is the real timeline; otherwise one entry
// per calling context with its self weight (the aggregated views are exact, the timeline is
// not a timeline). Counts (samples, calls) have speedscope's unit 'none'. Exact graphs
// (fprof, callgrind) have no stacks.
import { OptionError, type Profile, type ProfileThread, type ValueUnit } from '../model/profile'

export const SPEEDSCOPE_SCHEMA = 'https://www.speedscope.app/file-format-schema.json'

export interface SpeedscopeFrame { name: string; file?: string; line?: number; col?: number }

export interface SpeedscopeSampled {
  type: 'sampled'
  name: string
  unit: string
  startValue: number
  endValue: number
  samples: number[][]
  weights: number[]
}

export interface SpeedscopeFile {
  $schema: typeof SPEEDSCOPE_SCHEMA
  shared: { frames: SpeedscopeFrame[] }
  profiles: SpeedscopeSampled[]
  name: string
  activeProfileIndex: number
  exporter: string
}

const UNITS: ValueUnit[] = ['nanoseconds', 'microseconds', 'milliseconds', 'seconds', 'bytes']

function speedscopeUnit(u: ValueUnit): string {
  return UNITS.includes(u) ? u : 'none'
}

/** Builds the file object; `toSpeedscope` serialises it. */
export function speedscopeFile(p: Profile): SpeedscopeFile {
  const threads = p.threads.filter((t) => t.tree)
  if (!threads.length) throw new OptionError('speedscope: the profile has no stacks to write (an exact call graph from fprof or callgrind has none; write its call graph instead)')
  const frames: SpeedscopeFrame[] = []
  const index = new Map<number, number>()
  const frameIndex = (id: number): number => {
    let i = index.get(id)
    if (i !== undefined) return i
    const f = p.frames.get(id)
    const out: SpeedscopeFrame = { name: f.name }
    if (f.file !== undefined) out.file = f.file
    if (f.line !== undefined) out.line = f.line
    if (f.column !== undefined) out.col = f.column
    i = frames.length
    frames.push(out)
    index.set(id, i)
    return i
  }
  const profiles = threads.map((t) => sampledProfile(p, t, threads.length > 1, frameIndex))
  return { $schema: SPEEDSCOPE_SCHEMA, shared: { frames }, profiles, name: p.name, activeProfileIndex: 0, exporter: 'sonde' }
}

function sampledProfile(p: Profile, t: ProfileThread, named: boolean, frameIndex: (id: number) => number): SpeedscopeSampled {
  const tree = t.tree!
  const stacks = new Map<number, number[]>()
  // Root-first frame indices of a sampled node, one array per distinct leaf (the JSON
  // holds every stack in full anyway).
  const stackOf = (node: number): number[] => {
    let s = stacks.get(node)
    if (s) return s
    s = []
    for (let n = node; n > 0; n = tree.parent[n]) s.push(frameIndex(tree.frame[n]))
    s.reverse()
    stacks.set(node, s)
    return s
  }
  const samples: number[][] = []
  const weights: number[] = []
  if (t.samples) {
    for (let i = 0; i < t.samples.leaf.length; i++) { samples.push(stackOf(t.samples.leaf[i])); weights.push(t.samples.weight[i]) }
  } else {
    for (let v = 0; v < tree.size; v++) if (tree.self[v] !== 0) { samples.push(stackOf(v)); weights.push(tree.self[v]) }
  }
  let total = 0
  for (const w of weights) total += w
  return { type: 'sampled', name: named ? `${p.name} ${t.name}` : p.name, unit: speedscopeUnit(p.unit), startValue: 0, endValue: total, samples, weights }
}

export function toSpeedscope(p: Profile): string {
  return JSON.stringify(speedscopeFile(p)) + '\n'
}
