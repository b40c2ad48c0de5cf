// Callgrind profiles (`valgrind --tool=callgrind`, also kcachegrind/qcachegrind input):
// header (version, creator, positions, events, summary/totals), then position lines
// (ob=, fl=, fi=, fe=, fn=, cob=, cfi=, cfl=, cfn=, calls=) and cost lines
// `subposition cost...`; the cost line after `calls=COUNT TARGET` is the inclusive cost of
// those calls. Names may be compressed: `(id) name` defines, `(id)` refers back.
// Spec: Valgrind manual, "Callgrind Format Specification" (valgrind.org/docs/manual/cl-format.html).
//   fn=(542) fact
//   4 184
// No stacks exist: this fills ProfileThread.exact, with the first event (e.g. Ir) as the
// weight (unit 'none'; the event name is in meta.event). Callgrind names recursion levels
// `fact'2` (--separate-recs, default 2); levels are merged into one function, and the
// nesting they reveal keeps ACC charged once: a function's ACC is the self cost of its
// outermost (unsuffixed) level plus the calls made from it; an edge's ACC leaves out calls
// where both caller and callee are already nested (level ≥ 2). Exact for direct recursion
// and two-function cycles; longer cycles are approximate.
import { createProfile, ParseError, type ExactEdge, type ExactFunction, type Profile } from '../model/profile'
import { firstLines, runLines, type LineImporter } from './line-importer'
import { checkWeight, MAX_WEIGHT } from './weight-check'

export function isCallgrind(head: string): boolean {
  const lines = firstLines(head, 30)
  if (lines[0] === '# callgrind format') return true
  return lines.some((l) => l.startsWith('events:')) && lines.some((l) => /^(fn|fl|ob)=/.test(l))
}

/** 'fact'2' → ['fact', 2]; names without a numeric level suffix are level 1. */
function level(name: string): [string, number] {
  const q = name.lastIndexOf("'")
  if (q > 0) {
    const n = Number(name.slice(q + 1))
    if (Number.isInteger(n) && n > 0 && name.slice(q + 1) !== '') return [name.slice(0, q), n]
  }
  return [name, 1]
}

interface Fn { frame: number; calls: number; self: number; outerSelf: number; outerCalls: number }

export function createCallgrindImporter(name: string): LineImporter {
  const profile = createProfile(name, 'callgrind', 'none')
  const fns = new Map<string, Fn>()
  const edges = new Map<string, ExactEdge>()
  const names = { fn: new Map<string, string>(), fl: new Map<string, string>(), ob: new Map<string, string>() }
  let seen = false
  let fn: { base: Fn; lvl: number } | null = null
  let file = ''
  let callee: { base: Fn; lvl: number } | null = null
  let calleeFile: string | null = null
  let pendingCalls = -1 // calls count awaiting its inclusive cost line
  let total: number | undefined

  const resolve = (kind: 'fn' | 'fl' | 'ob', v: string, lineNo: number): string => {
    if (v[0] !== '(') return v
    const close = v.indexOf(')')
    if (close < 0) throw new ParseError(name, lineNo, `bad compressed name "${v}"`)
    const id = v.slice(0, close + 1)
    const rest = v.slice(close + 1).trim()
    if (rest) { names[kind].set(id, rest); return rest }
    const known = names[kind].get(id)
    if (known === undefined) throw new ParseError(name, lineNo, `name ${id} used before it is defined`)
    return known
  }
  const fnOf = (raw: string, f: string): { base: Fn; lvl: number } => {
    const [base, lvl] = level(raw)
    // One function = one name in one file: glibc's two '(below main)' are two functions.
    const id = `${base}\u0000${f}`
    let e = fns.get(id)
    if (!e) {
      const info: { name: string; file?: string } = { name: base }
      if (f && f !== '???') info.file = f
      e = { frame: profile.frames.intern({ ...info, kind: 'native' }), calls: 0, self: 0, outerSelf: 0, outerCalls: 0 }
      fns.set(id, e)
    }
    return { base: e, lvl }
  }
  const firstCost = (raw: string, lineNo: number): number => {
    // subposition column(s) then costs; the position count is fixed by `positions:`
    let i = 0
    for (let p = 0; p < positions; p++) { i = raw.indexOf(' ', i); if (i < 0) return 0; while (raw.charCodeAt(i) === 32) i++ }
    let j = raw.indexOf(' ', i)
    if (j < 0) j = raw.length
    const s = raw.slice(i, j)
    if (s === '') return 0
    const v = Number(s)
    if (Number.isNaN(v)) throw new ParseError(name, lineNo, `bad cost "${s}"`)
    return checkWeight(v, name, lineNo, 'cost', { shown: `"${s}"` })
  }
  let positions = 1

  return {
    line(raw, lineNo) {
      if (raw === '' || raw[0] === '#') return true
      const c = raw.charCodeAt(0)
      const isCost = (c >= 48 && c <= 57) || c === 43 || c === 45 || c === 42 // digit + - *
      const colon = isCost ? -1 : raw.indexOf(':')
      const eqAt = isCost ? -1 : raw.indexOf('=')
      if (colon > 0 && (eqAt < 0 || colon < eqAt)) {
        const key = raw.slice(0, colon)
        const val = raw.slice(colon + 1).trim()
        if (!/^[a-z]+$/.test(key)) { if (!seen) return false; throw new ParseError(name, lineNo, `unexpected line "${raw.slice(0, 40)}"`) }
        seen = true
        if (key === 'events') profile.meta.event = val.split(/\s+/)[0]
        else if (key === 'positions') positions = val.split(/\s+/).length
        else if ((key === 'summary' || key === 'totals') && total === undefined) total = checkWeight(Number(val.split(/\s+/)[0]), name, lineNo, key, { shown: `"${val.split(/\s+/)[0]}"` })
        else if (key === 'creator' || key === 'cmd' || key === 'version') profile.meta[key] = val
        return true
      }
      if (!seen && !isCost && !/^(ob|fl|fi|fe|fn)=/.test(raw)) return false
      seen = true
      if (isCost) {
        if (!fn) throw new ParseError(name, lineNo, 'cost line before any fn=')
        const v = firstCost(raw, lineNo)
        if (pendingCalls >= 0) {
          const cal = callee!
          const key = `${fn.base.frame}:${cal.base.frame}`
          let e = edges.get(key)
          if (!e) { e = { caller: fn.base.frame, callee: cal.base.frame, calls: 0, total: 0 }; edges.set(key, e) }
          e.calls! += pendingCalls
          cal.base.calls += pendingCalls
          if (fn.lvl === 1 || cal.lvl === 1) e.total += v
          if (fn.lvl === 1) fn.base.outerCalls += v
          pendingCalls = -1
          callee = null
        } else {
          fn.base.self += v
          if (fn.lvl === 1) fn.base.outerSelf += v
        }
        return true
      }
      if (pendingCalls >= 0) throw new ParseError(name, lineNo, 'calls= line not followed by its cost line')
      const eq = raw.indexOf('=')
      if (eq < 0) throw new ParseError(name, lineNo, `unexpected line "${raw.slice(0, 40)}"`)
      const key = raw.slice(0, eq)
      const val = raw.slice(eq + 1)
      switch (key) {
        case 'fl': case 'fi': case 'fe': file = resolve('fl', val, lineNo); break
        case 'cfi': case 'cfl': calleeFile = resolve('fl', val, lineNo); break
        case 'ob': case 'cob': resolve('ob', val, lineNo); break
        case 'fn': fn = fnOf(resolve('fn', val, lineNo), file); calleeFile = null; break
        case 'cfn': callee = fnOf(resolve('fn', val, lineNo), calleeFile ?? file); calleeFile = null; break
        case 'calls': {
          if (!fn || !callee) throw new ParseError(name, lineNo, 'calls= without fn= and cfn=')
          const n = Number(val.trim().split(/\s+/)[0])
          if (!Number.isInteger(n) || n < 0 || n > MAX_WEIGHT) throw new ParseError(name, lineNo, `bad call count "${val.trim().split(/\s+/)[0]}"`)
          pendingCalls = n
          break
        }
        case 'jump': case 'jcnd': break
        default:
          throw new ParseError(name, lineNo, `unknown line "${key}="`)
      }
      return true
    },
    finish() {
      if (!seen || fns.size === 0) {
        if (seen) throw new ParseError(name, undefined, 'no functions (fn= lines) in callgrind input')
        return null
      }
      if (pendingCalls >= 0) throw new ParseError(name, undefined, 'input ends after calls= (truncated?)')
      const functions: ExactFunction[] = []
      let sum = 0
      for (const f of fns.values()) sum += f.self
      const cap = total ?? sum
      for (const f of fns.values()) {
        functions.push({ frame: f.frame, calls: f.calls, self: f.self, total: Math.min(cap, f.outerSelf + f.outerCalls) })
      }
      profile.threads.push({ name: 'all', exact: { functions, edges: [...edges.values()], total: total ?? sum } })
      return profile
    },
  }
}

export function importFromCallgrind(text: string, name: string): Profile | null {
  return runLines(createCallgrindImporter(name), text)
}
