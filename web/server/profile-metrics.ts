// What the page may ask of a stored profile, in the page's own words: the metrics it has (its
// own unit's, plus calls when the producer counted them — a cpuprofile has time only, a folded
// file samples), and the library's option errors restated with the page's control names
// instead of the CLI's flags.
import { literal, OptionError, type Profile } from '../../viz/model/profile'
import { defaultMetric, type Metric } from '../../viz/graph/shape-options'

/** The metrics a call graph of `p` can be coloured, sized and pruned by. */
export function metricsOf(p: Profile): Metric[] {
  const own = defaultMetric(p.unit)
  const calls = own !== 'calls' && p.threads.some((t) => t.tree?.hasCalls || (t.functionCalls?.size ?? 0) > 0 || t.exact?.functions.some((f) => f.calls !== null))
  return calls ? [own, 'calls'] : [own]
}

/** The page's controls, by the library's option names. */
const CONTROL: Record<string, string> = { metric: 'metric', nodeThres: 'node ≥', edgeThres: 'edge ≥', budget: 'nodes ≤', focus: 'focus' }

/** An OptionError's message with the page's control names (focus: the function's own name). */
export function inPageWords(err: OptionError): string {
  const text = err.renamed(CONTROL)
  const focus = /^focus \^(.*)\$: matches no function$/.exec(text)
  if (focus) return `focus: no function named ${focus[1].replace(/\\(.)/g, '$1')} in this profile`
  return text.replace(/\(use (metric) (\w+)( or calls)?\)/, '(pick $2$3 in the metric menu)')
}

/** The same error, its message in the page's words (braces escaped: it is a template again). */
export function inPage(err: OptionError): OptionError { return new OptionError(literal(inPageWords(err))) }

/** Runs fn; an OptionError comes out in the page's words. */
export function withPageWords<T>(fn: () => T): T {
  try { return fn() } catch (err) {
    if (err instanceof OptionError) throw inPage(err)
    throw err
  }
}
