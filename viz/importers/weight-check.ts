// Range checks for the numbers profile inputs carry (counts, costs, times). A number that is
// not finite, or so large that sums lose every digit, must stop at the importer with a
// ParseError naming file and line: let through, it turns totals into Infinity and
// percentages into NaN far from the cause. The bound is 2^53: integers stay exact and no
// sum of fewer than 2^970 such values overflows.
//   main;a 99999999999999999999999   → folded.txt:1: count "9999…" is out of range (0 to 2^53)
//   "hitCount": 1e308                → app.cpuprofile:12: hitCount 1e+308 is out of range (0 to 2^53)
import { ParseError } from '../model/profile'

export const MAX_WEIGHT = Number.MAX_SAFE_INTEGER

/** Whether v is a finite number with |v| ≤ 2^53 (and ≥ 0 unless `signed`). */
export function inRange(v: unknown, signed = false): v is number {
  return typeof v === 'number' && v <= MAX_WEIGHT && (signed ? v >= -MAX_WEIGHT : v >= 0)
}

/** `v` when inRange, else a ParseError "<what> <v> is out of range". `shown` replaces v in the
 * message; `line` may be a function, called only on error (finding a line in JSON text is a search). */
export function checkWeight(v: unknown, file: string, line: number | undefined | (() => number | undefined), what: string, opts: { signed?: boolean; shown?: string; format?: string } = {}): number {
  if (inRange(v, opts.signed)) return v
  let text = opts.shown ?? (typeof v === 'number' ? String(v) : JSON.stringify(v) ?? String(v))
  if (text.length > 24) text = text.slice(0, 20) + (text.startsWith('"') ? '…"' : '…')
  throw new ParseError(file, typeof line === 'function' ? line() : line, `${what} ${text} is out of range (${opts.signed ? '-2^53' : '0'} to 2^53)`, opts.format)
}
