// Golden files for the importer tests: compared byte for byte, rewritten only when
// UPDATE_GOLDEN=1. The exact-graph dump is the oracle for inputs without stacks
// (callgrind, gprof2dot JSON): one sorted line per function and per edge.
import fs from 'node:fs'
import path from 'node:path'
import type { Profile } from '../../../viz/model/profile'

export const root = path.resolve(__dirname, '../../..')
export const goldenDir = path.join(root, 'test/golden/importers')

/** Returns null when `actual` matches the golden file (or it was rewritten), else a diff hint. */
export function checkGolden(file: string, actual: string): string | null {
  const p = path.join(goldenDir, file)
  if (process.env.UPDATE_GOLDEN === '1' || !fs.existsSync(p)) {
    if (process.env.UPDATE_GOLDEN !== '1') return `golden ${file} missing (run with UPDATE_GOLDEN=1)`
    fs.mkdirSync(path.dirname(p), { recursive: true })
    fs.writeFileSync(p, actual)
    return null
  }
  const expected = fs.readFileSync(p, 'utf8')
  if (expected === actual) return null
  const a = expected.split('\n'), b = actual.split('\n')
  let i = 0
  while (i < a.length && a[i] === b[i]) i++
  return `${file} differs at line ${i + 1}:\n  golden: ${a[i]}\n  actual: ${b[i]}`
}

export function exactText(profile: Profile): string {
  const name = (id: number) => profile.frames.get(id).name
  const out: string[] = []
  for (const t of profile.threads) {
    if (!t.exact) continue
    const fns = t.exact.functions.map((f) => `fn ${t.name} ${name(f.frame)} calls=${f.calls ?? '-'} self=${f.self} total=${f.total}`)
    const edges = t.exact.edges.map((e) => `edge ${t.name} ${name(e.caller)} -> ${name(e.callee)} calls=${e.calls ?? '-'} total=${e.total}${e.self !== undefined ? ` self=${e.self}` : ''}`)
    out.push(...fns.sort(), ...edges.sort())
    if (t.exact.total !== undefined) out.push(`total ${t.name} ${t.exact.total}`)
  }
  return out.join('\n') + '\n'
}
