// The library face of `sonde callgraph`: Profile (+ options) → DOT, SVG, PNG, JSON or the
// fprof-style table. `diff` is a second Profile to colour by signed change against.
import type { Profile } from '../model/profile'
import { buildCallGraph, type CallGraphOptions } from '../shape/shape'
import { diffByKey } from '../shape/diff'
import { hasPruning, pruneProfileFrames } from '../shape/prune-frames'
import { deriveCallGraph } from './derive'
import { toDot, type DotOptions } from '../writers/dot-writer'
import { toJson } from '../writers/json-writer'
import { toTextTable } from '../writers/text-table'
import { dotToSvg, type SvgOptions } from '../writers/svg'
import { svgToPng, type PngOptions } from '../writers/png'

export type CallGraphOutput = 'dot' | 'svg' | 'png' | 'json' | 'txt'
export const callGraphOutputs: CallGraphOutput[] = ['dot', 'svg', 'png', 'json', 'txt']

export interface RenderOptions extends CallGraphOptions, Omit<DotOptions, 'diff' | 'metric'>, SvgOptions, PngOptions {
  output?: CallGraphOutput
  /** Colour by the change against this profile. */
  diff?: Profile
}

export async function renderCallGraph(profile: Profile, o: RenderOptions = {}): Promise<string | Buffer> {
  const g = buildCallGraph(profile, o)
  const output = o.output ?? 'dot'
  if (output === 'json') return toJson(g)
  if (output === 'txt') return toTextTable(g)
  let diff: Map<string, number> | undefined
  if (o.diff) {
    const full = (p: Profile) => deriveCallGraph(hasPruning(o) ? pruneProfileFrames(p, o) : p, { thread: p === profile ? o.thread : undefined })
    diff = diffByKey(full(profile), full(o.diff), o.metric)
  }
  const dot = toDot(g, { ...o, metric: o.metric, diff })
  if (output === 'dot') return dot
  const svg = await dotToSvg(dot, o)
  return output === 'svg' ? svg : svgToPng(svg, o)
}
