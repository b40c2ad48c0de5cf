// --diff OTHER: the signed change of each function between two profiles, in percentage
// points of each profile's own whole (so profiles of different lengths compare), matched
// by frame identity (name, file, line). Positive = a larger share in this profile.
import type { CallGraph } from '../model/call-graph'
import { defaultMetric, type Metric, metricTotal, nodeValue } from './shape-options'

export function diffByKey(current: CallGraph, other: CallGraph, metric: Metric = defaultMetric(current.unit)): Map<string, number> {
  const share = (g: CallGraph) => {
    const whole = metricTotal(g, metric) || 1
    const m = new Map<string, number>()
    for (const n of g.nodes) m.set(n.key, (m.get(n.key) ?? 0) + (100 * nodeValue(n, metric)) / whole)
    return m
  }
  const a = share(current), b = share(other)
  const out = new Map<string, number>()
  for (const [k, v] of a) out.set(k, v - (b.get(k) ?? 0))
  return out
}
