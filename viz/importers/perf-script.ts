// `perf script` output (Linux perf): per sample a header line
// `comm pid/tid [cpu] time: period event:` (pid/tid with -F ...,pid,tid; a lone tid by
// default), then one line per frame, leaf first, `<tab>addr sym+off (dso)`, then a blank
// line. Producer: perf-script(1) (tools/perf/Documentation/perf-script.txt); the same
// input as FlameGraph's stackcollapse-perf.pl.
//   node 16161/16215   320.000733:   10309278 cpu-clock:ppp:
//   	    7f1795fc3ee3 JS:^fib /app.js:1:13+0x223 (/tmp/perf-16161.map)
// One ProfileThread per pid/tid (named `comm-pid/tid`); unit samples (one per sample, as
// stackcollapse-perf.pl and gprof2dot count); `+0x..` offsets dropped; `[unknown]` frames
// kept as `[unknown]`. Fast path: one regex per sample header, indexOf per frame line,
// frames interned by their raw text.
import { createProfile, CallTree, ParseError, type Profile } from '../model/profile'
import { firstLines, runLines, type LineImporter } from './line-importer'
import { stripOffset } from './bpftrace'

// comm (may contain spaces) · pid[/tid] · optional [cpu] · time:
const HEADER = /^(\S.*?)\s+(\d+)(?:\/(\d+))?\s+(?:\[\d+\]\s+)?(?:\d+\.\d+:)/
const FRAME = /^\s+[0-9a-fA-F]+\s+\S/

export function isPerfScript(head: string): boolean {
  const lines = firstLines(head, 40).filter((l) => l[0] !== '#')
  return lines.length >= 1 && HEADER.test(lines[0]) && (lines.length === 1 || FRAME.test(lines[1]) || HEADER.test(lines[1]))
}

interface Thread { name: string; tree: CallTree }

export function createPerfScriptImporter(name: string): LineImporter {
  const profile = createProfile(name, 'perf-script', 'samples')
  const threads = new Map<string, Thread>()
  const ids = new Map<string, number>()
  let current: Thread | null = null
  const stack: number[] = []
  let samples = 0
  let headerLine = 0

  const frameId = (raw: string): number => {
    let id = ids.get(raw)
    if (id !== undefined) return id
    // raw: 'addr sym+off (dso)' or 'addr [unknown] (dso)'
    const sp = raw.indexOf(' ')
    let rest = sp < 0 ? raw : raw.slice(sp + 1).trim()
    let module: string | undefined
    const paren = rest.lastIndexOf(' (')
    if (paren >= 0 && rest.endsWith(')')) { module = rest.slice(paren + 2, -1); rest = rest.slice(0, paren) }
    else if (rest[0] === '(' && rest.endsWith(')')) { module = rest.slice(1, -1); rest = '[unknown]' }
    const fn = stripOffset(rest) || '[unknown]'
    const info: { name: string; module?: string; kind?: 'native' } = { name: fn }
    if (module) info.module = module.replace(/^.*\//, '')
    id = profile.frames.intern(info)
    ids.set(raw, id)
    return id
  }
  const flush = () => {
    if (!current) return
    const tree = current.tree
    let node = 0
    for (let i = stack.length - 1; i >= 0; i--) node = tree.child(node, stack[i])
    if (node === 0) node = tree.child(0, frameId('0 [unknown]'))
    tree.self[node] += 1
    samples++
    stack.length = 0
    current = null
  }
  return {
    line(raw, lineNo) {
      if (raw.length === 0) { flush(); return true }
      const c = raw.charCodeAt(0)
      if (c === 32 || c === 9) {
        if (!current) {
          if (raw.trim() === '') return true
          if (samples === 0 && headerLine === 0) return false
          throw new ParseError(name, lineNo, 'frame line outside a sample (missing header line)')
        }
        const t = raw.trim()
        if (t !== '') stack.push(frameId(t))
        return true
      }
      if (c === 35) return true // '# ' header comments of perf script --header
      flush()
      const m = HEADER.exec(raw)
      if (!m) {
        if (samples === 0 && headerLine === 0) return false
        throw new ParseError(name, lineNo, `bad sample header "${raw.slice(0, 60)}"`)
      }
      headerLine = lineNo
      const key = m[3] ? `${m[2]}/${m[3]}` : m[2]
      let t = threads.get(key)
      if (!t) { t = { name: `${m[1]}-${key}`, tree: new CallTree() }; threads.set(key, t) }
      current = t
      return true
    },
    finish() {
      flush()
      if (!samples) return null
      const keys = [...threads.keys()].sort((a, b) => { const x = a.split('/').map(Number), y = b.split('/').map(Number); return x[0] - y[0] || (x[1] ?? 0) - (y[1] ?? 0) })
      for (const k of keys) { const t = threads.get(k)!; profile.threads.push({ name: t.name, tree: t.tree }) }
      profile.meta.samples = samples
      return profile
    },
  }
}

export function importFromPerfScript(text: string, name: string): Profile | null {
  return runLines(createPerfScriptImporter(name), text)
}
