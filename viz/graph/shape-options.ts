// Options that shape a derived call graph before it is written, with their defaults and
// validation (set-up is strict: a bad option throws with a message naming it).
import { OptionError, type ValueUnit } from '../model/profile'
import type { CallGraph, CallGraphEdge, CallGraphNode } from '../model/call-graph'

export type Metric = 'time' | 'samples' | 'bytes' | 'calls'

export interface ShapeOptions {
  /** Drop nodes below this % of the metric's total (default 0.5). */
  nodeThres?: number
  /** Drop edges below this % (default 0.1). */
  edgeThres?: number
  /** At most this many nodes, kept connected by aggregate (dashed) edges (default 150; 0 = no limit). */
  budget?: number
  /** At most this many edges before reconnection (default 3 per shown function; 0 = no limit). */
  edgeBudget?: number
  /** Keep only the callees (transitively) of functions matching. */
  root?: RegExp
  /** Keep only the callers (transitively) of functions matching. */
  leaf?: RegExp
  /** At most this many calls deep from the roots (or from --root matches). */
  depth?: number
  /** Keep matches with all their callers and callees. */
  focus?: RegExp
  /** Drop matching functions and what they call (their subtree). */
  ignore?: RegExp
  /** Remove matching functions, charging their time to the caller. */
  hide?: RegExp
  /** Remove pseudo frames ((idle), (program), (garbage collector), (root), suspend, ...). */
  hidePseudo?: boolean
  /** Reverse the edges: callees point at their callers. */
  invert?: boolean
  /** What drives colour, size and pruning (default: the profile's own unit). */
  metric?: Metric
}

export const defaultShape = { nodeThres: 0.5, edgeThres: 0.1, budget: 150 }

const TIME_UNITS: ValueUnit[] = ['nanoseconds', 'microseconds', 'milliseconds', 'seconds']

export function defaultMetric(unit: ValueUnit): Metric {
  if (TIME_UNITS.includes(unit)) return 'time'
  if (unit === 'bytes') return 'bytes'
  if (unit === 'calls') return 'calls'
  return 'samples'
}

/** Throws OptionError naming the option when a metric does not fit the profile. */
export function checkMetric(metric: Metric, g: CallGraph): void {
  const have = defaultMetric(g.unit)
  if (metric === 'calls') {
    if (!g.hasCalls && g.unit !== 'calls') throw new OptionError(`{metric} calls: this profile (${g.unit}) has no call counts`)
    return
  }
  if (metric !== have) throw new OptionError(`{metric} ${metric}: this profile measures ${g.unit} (use {metric} ${have}${g.hasCalls ? ' or calls' : ''})`)
}

export function checkShapeOptions(o: ShapeOptions): void {
  const pct = (v: number | undefined, name: string) => {
    if (v !== undefined && !(Number.isFinite(v) && v >= 0 && v <= 100)) throw new OptionError(`{${name}} must be a percentage 0..100, got ${v}`)
  }
  pct(o.nodeThres, 'nodeThres')
  pct(o.edgeThres, 'edgeThres')
  if (o.budget !== undefined && !(Number.isInteger(o.budget) && o.budget >= 0)) throw new OptionError(`{budget} must be a whole number ≥ 0, got ${o.budget}`)
  if (o.edgeBudget !== undefined && !(Number.isInteger(o.edgeBudget) && o.edgeBudget >= 0)) throw new OptionError(`{edgeBudget} must be a whole number ≥ 0, got ${o.edgeBudget}`)
  if (o.depth !== undefined && !(Number.isInteger(o.depth) && o.depth >= 0)) throw new OptionError(`{depth} must be a whole number ≥ 0, got ${o.depth}`)
}

/** The value of a node / edge under a metric. */
export function nodeValue(n: CallGraphNode, metric: Metric): number {
  return metric === 'calls' && n.calls !== null ? n.calls : n.total
}

export function edgeValue(e: CallGraphEdge, metric: Metric): number {
  return metric === 'calls' && e.calls !== null ? e.calls : e.weight
}

/** The 100 % of a metric: the sum of OWN, or for calls the largest CNT. */
export function metricTotal(g: CallGraph, metric: Metric): number {
  if (metric !== 'calls' || !g.hasCalls) return g.whole
  let max = 0
  for (const n of g.nodes) max = Math.max(max, n.calls ?? 0)
  return max
}
