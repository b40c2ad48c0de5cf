// The library face of `sonde callgraph`: Profile (+ options) → DOT, SVG, PNG, JSON, the
// fprof-style table, or the profile itself as pprof or speedscope JSON. `diff` is a second
// Profile to colour by signed change against.
import type { Profile } from './model/profile'
import { buildCallGraph, type CallGraphOptions } from './graph/shape'
import { diffByKey } from './graph/diff'
import { hasPruning, pruneProfileFrames } from './graph/prune-frames'
import { deriveCallGraph } from './graph/derive'
import { selectThreads } from './graph/select-threads'
import { toDot, type DotOptions } from './writers/dot-writer'
import { toJson } from './writers/json-writer'
import { toTextTable } from './writers/text-table'
import { dotToSvg, type SvgOptions } from './writers/svg'
import { svgToPng, type PngOptions } from './writers/png'
import { toPprof } from './writers/pprof-writer'
import { toSpeedscope } from './writers/speedscope'

export type CallGraphOutput = 'dot' | 'svg' | 'png' | 'json' | 'txt' | 'pprof' | 'speedscope'
export const callGraphOutputs: CallGraphOutput[] = ['dot', 'svg', 'png', 'json', 'txt', 'pprof', 'speedscope']

export interface RenderOptions extends CallGraphOptions, Omit<DotOptions, 'diff' | 'metric'>, SvgOptions, PngOptions {
  output?: CallGraphOutput
  /** Colour by the change against this profile. */
  diff?: Profile
  /** Threads of `diff` to compare with (select-threads.ts forms; '*' = all); default: `thread`. */
  diffThread?: string
  /** pprof output: gzip it (default true). */
  gzip?: boolean
}

/** The profile itself in an interchange format: the chosen threads, pruned by --ignore,
 * --hide and --hide-pseudo; graph shaping (thresholds, focus, budget) does not apply. */
function exportProfile(profile: Profile, o: RenderOptions): string | Buffer {
  let p: Profile = { ...profile, threads: selectThreads(profile, o.thread) }
  if (hasPruning(o)) p = pruneProfileFrames(p, o)
  return o.output === 'pprof' ? toPprof(p, { gzip: o.gzip }) : toSpeedscope(p)
}

export async function renderCallGraph(profile: Profile, o: RenderOptions = {}): Promise<string | Buffer> {
  const output = o.output ?? 'dot'
  if (output === 'pprof' || output === 'speedscope') return exportProfile(profile, o)
  const g = buildCallGraph(profile, o)
  if (output === 'json') return toJson(g)
  if (output === 'txt') return toTextTable(g)
  let diff: Map<string, number> | undefined
  if (o.diff) {
    // The other profile's threads: diffThread, else the same thread (pids and tids
    // differ between runs: then diffThread names the counterpart, or * for all).
    const otherThread = o.diffThread ?? o.thread
    const option = o.diffThread !== undefined ? '{diffThread}' : '{thread} (in the {diff} profile; pick its counterpart with {diffThread})'
    const other: Profile = { ...o.diff, threads: selectThreads(o.diff, otherThread, option) }
    const full = (p: Profile, thread?: string) => deriveCallGraph(hasPruning(o) ? pruneProfileFrames(p, o) : p, { thread })
    diff = diffByKey(full(profile, o.thread), full(other), o.metric)
  }
  const dot = toDot(g, { ...o, metric: o.metric, diff })
  if (output === 'dot') return dot
  const svg = await dotToSvg(dot, o)
  return output === 'svg' ? svg : svgToPng(svg, o)
}
