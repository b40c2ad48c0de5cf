// A deliberately simple, line-based reading of fprof analyses, independent of the
// importer's term reader: it only looks at the header lines (`[{ ...`) and at the lines
// fprof marks as *the* function of an entry (` { F, CNT, ACC, OWN},     %` with callers,
// `{  F, CNT, ACC, OWN}.` without; a name ~p wrapped over lines is joined first). Milliseconds become microseconds by dropping the
// decimal point of the printed text, never through floating point.
import type { Profile } from '../../../viz/model/profile'

export interface Row { cnt: number, acc: number | null, own: number }
export interface OracleBlock { name: string, header: Row, functions: Map<string, Row> }

const HEADER = /^\[\{ ?("?[^",]+"?),\s*(-?\d+),\s*(undefined|-?\d+\.\d{3}),\s*(-?\d+\.\d{3})\}/
const FN_CALLERS = /^ \{ (\S.*?),\s*(-?\d+),\s*(-?\d+\.\d{3}),\s*(-?\d+\.\d{3})\},\s*%\s*$/
const FN_PLAIN = /^\{ {2}(\S.*?),\s*(-?\d+),\s*(-?\d+\.\d{3}),\s*(-?\d+\.\d{3})\}\.\s*$/

const us = (ms: string) => Number(ms.replace('.', ''))

/** `{M,F,A}` → `M:F/A` keeping the atoms exactly as fprof printed them. */
function mfa(raw: string): string {
  const m = /^\{(.+),(.+),(\d+)\}$/.exec(raw)
  return m ? `${m[1]}:${m[2]}/${m[3]}` : raw
}

export function oracle(text: string): OracleBlock[] {
  const blocks: OracleBlock[] = []
  let cur: OracleBlock | undefined
  const lines = text.split('\n')
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]
    // ~p wraps a long {M,F,A} over lines: join the marked line's continuation.
    while (/^( \{ |\{ {2})\{.*,$/.test(line) && !FN_CALLERS.test(line) && !FN_PLAIN.test(line) && i + 1 < lines.length) line += lines[++i].trim()
    let m = HEADER.exec(line)
    if (m) {
      cur = { name: m[1].replace(/"/g, ''), header: { cnt: Number(m[2]), acc: m[3] === 'undefined' ? null : us(m[3]), own: us(m[4]) }, functions: new Map() }
      blocks.push(cur)
      continue
    }
    m = FN_CALLERS.exec(line) ?? FN_PLAIN.exec(line)
    if (m && cur) cur.functions.set(mfa(m[1]), { cnt: Number(m[2]), acc: us(m[3]), own: us(m[4]) })
  }
  return blocks
}

/** What the importer should return: the process blocks, or the totals block when there are none. */
export function expectedThreads(blocks: OracleBlock[]): OracleBlock[] {
  const procs = blocks.filter((b) => b.name !== 'totals')
  return procs.length > 0 ? procs : blocks.filter((b) => b.name === 'totals')
}

/** The importer's functions of one thread, in the oracle's shape. */
export function importedRows(p: Profile, thread: string): Map<string, Row> {
  const t = p.threads.find((x) => x.name === thread)
  const out = new Map<string, Row>()
  for (const f of t?.exact?.functions ?? []) out.set(p.frames.get(f.frame).name, { cnt: f.calls ?? -1, acc: f.total, own: f.self })
  return out
}

/** Deterministic per-function table (file order) plus edges, for the golden files. */
export function table(p: Profile): string {
  const out: string[] = [`unit ${p.unit}`, `totals CNT ${p.meta.totalCalls} ACC ${p.meta.totalAcc} OWN ${p.meta.totalOwn}`]
  for (const t of p.threads) {
    const g = t.exact!
    out.push('', `thread ${t.name} OWN ${g.total}${g.acc !== undefined ? ` ACC ${g.acc}` : ''}`)
    out.push('  CNT\tACC\tOWN\tkind\tfunction')
    for (const f of g.functions) {
      const fr = p.frames.get(f.frame)
      out.push(`  ${f.calls}\t${f.total}\t${f.self}\t${fr.kind}\t${fr.name}`)
    }
    for (const e of g.edges) {
      out.push(`  edge ${p.frames.get(e.caller).name} -> ${p.frames.get(e.callee).name}\tCNT ${e.calls}\tACC ${e.total}\tOWN ${e.self}`)
    }
  }
  return out.join('\n') + '\n'
}
