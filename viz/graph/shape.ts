// The shaping pipeline: frame pruning (on stacks when there are stacks) → derivation →
// invert → selection (--focus/--root/--leaf/--depth) → thresholds and node budget with
// aggregate edges. Percentages stay relative to the whole profile after pruning.
import type { Profile } from '../model/profile'
import type { CallGraph } from '../model/call-graph'
import { deriveCallGraph } from './derive'
import { keepWithinBudget } from './budget'
import { hasPruning, pruneGraphFrames, pruneProfileFrames } from './prune-frames'
import { invertGraph, selectNodes } from './select'
import { checkMetric, checkShapeOptions, defaultMetric, defaultShape, type ShapeOptions } from './shape-options'

export interface CallGraphOptions extends ShapeOptions {
  /** One thread / process by name; default: all merged. */
  thread?: string
}

/** Shapes an already derived graph (no stack-level pruning possible here). */
export function shapeCallGraph(full: CallGraph, o: ShapeOptions = {}): CallGraph {
  checkShapeOptions(o)
  const metric = o.metric ?? defaultMetric(full.unit)
  checkMetric(metric, full)
  let g = full
  if (hasPruning(o)) g = pruneGraphFrames(g, o)
  if (o.invert) g = invertGraph(g)
  const selected = selectNodes(g, o)
  return keepWithinBudget(g, selected, {
    nodeThres: o.nodeThres ?? defaultShape.nodeThres,
    edgeThres: o.edgeThres ?? defaultShape.edgeThres,
    budget: o.budget ?? defaultShape.budget,
    edgeBudget: o.edgeBudget,
    metric,
  })
}

/** Profile → shaped call graph; --ignore/--hide act on stacks where stacks exist. */
export function buildCallGraph(profile: Profile, o: CallGraphOptions = {}): CallGraph {
  checkShapeOptions(o)
  const onStacks = hasPruning(o) && profile.threads.some((t) => t.tree)
  const p = onStacks ? pruneProfileFrames(profile, o) : profile
  const full = deriveCallGraph(p, { thread: o.thread })
  const exactLeft = profile.threads.some((t) => t.exact)
  return shapeCallGraph(full, exactLeft ? o : { ...o, ignore: undefined, hide: undefined, hidePseudo: undefined })
}
