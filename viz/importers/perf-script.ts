// `perf script` output (Linux perf), as every perf version and `-F` field list prints it:
// per sample a header line, then one line per frame, leaf first, then a blank line.
// Producer: perf-script(1) (tools/perf/Documentation/perf-script.txt, builtin-script.c);
// the same input as FlameGraph's stackcollapse-perf.pl and gprof2dot's `-f perf`.
//   node 16161/16215 [003]  320.000733:   10309278 cpu-clock:ppp:      (default, -F pid,tid)
//   prog 18586 cpu-clock:                                              (-F comm,pid,event,…)
//   prog 18586    2004008 cycles:uH:                                   (period, no time)
//   	    7f1795fc3ee3 JS:^fib /app.js:1:13+0x223 (/tmp/perf-16161.map)
//   	            1214 inl_mix+0x34 (inlined)                          (--inline)
//   	ffffffff8223b5a6 do_syscall_64+0x46 ([kernel.kallsyms])
//     prog.c:6                                                         (-F +srcline)
// Header: comm (may hold spaces), pid[/tid], then optional [cpu], time:, period, event:
// (event names carry modifiers, `cycles:u`, `cpu-clock:ppp`, and end with ':'). A sample
// without a callchain prints `ip sym (dso)` on its header line: a one-frame stack.
// A frame is a function: symbol without `+0x…`, module = the dso's base name; `[unknown]`
// stays `[unknown]` of its dso; inlined frames have no dso. srcline lines give the frame's
// file:line, kept only with `lines`. One thread per pid/tid (`comm-pid/tid`); unit samples
// (one per sample, as stackcollapse-perf.pl and gprof2dot count).
import { createProfile, CallTree, ParseError, type FrameInfo, type Profile } from '../model/profile'
import { firstLines, runLines, type LineImporter } from './line-importer'
import { stripOffset, type ImporterOptions } from './import-options'

interface Header { comm: string; key: string; tail: string; known: boolean }

const HEAD = /^\s*(?:(\S.*?)\s+)?(\d+)(?:\/(\d+))?(?=\s|$)/
const CPU = /^\s*\[\d+\]/, TIME = /^\s*\d+\.\d+:/, PERIOD = /^\s*\d+(?=\s|$)/, EVENT = /^\s*[^\s:][^\s]*:(?=\s|$)/
const FRAME = /^[0-9a-fA-F]+(\s+\S|$)/

// The default header (comm pid[/tid] [cpu] time: [period] event:) in one regex: the common case.
const QUICK = /^(\S.*?)\s+(\d+)(?:\/(\d+))?\s+(?:\[\d+\]\s+)?\d+\.\d+:\s+(?:\d+\s+)?[^\s:][^\s]*:\s*$/

/** The header's fields, or null. Needs a time or an event unless nothing follows pid/tid. */
export function parseHeader(line: string): Header | null {
  const q = QUICK.exec(line)
  if (q) return { comm: q[1], key: q[3] ? `${q[2]}/${q[3]}` : q[2], tail: '', known: true }
  const m = HEAD.exec(line)
  if (!m) return null
  let rest = line.slice(m[0].length)
  let known = false
  for (const re of [CPU, TIME, PERIOD, EVENT]) {
    const f = re.exec(rest)
    if (f) { rest = rest.slice(f[0].length); if (re === TIME || re === EVENT) known = true }
  }
  const tail = rest.trim()
  if (!known && tail !== '') return null
  return { comm: m[1] ?? '', key: m[3] ? `${m[2]}/${m[3]}` : m[2], tail, known }
}

export function isPerfScript(head: string): boolean {
  const lines = firstLines(head, 40).filter((l) => l[0] !== '#')
  if (lines.length > 1 && lines[0][0] === '\t' && FRAME.test(lines[0].trim()) && FRAME.test(lines[1].trim())) return true // -F ip,sym,dso: no header
  const h = lines.length && lines[0][0] !== '\t' ? parseHeader(lines[0]) : null
  if (!h) return false
  // A frame under the header (tab-indented as perf prints it), else a time or event field.
  if (lines.length > 1 && /^\s/.test(lines[1]) && FRAME.test(lines[1].trim())) return true
  return h.known && (lines.length === 1 || parseHeader(lines[1]) !== null)
}

/** 'addr sym+off (dso)' → the frame (the offset kept with `keepOffset`: a call site); null
 * when the text is not a frame line. */
function parseFrame(t: string, keepOffset?: boolean): FrameInfo | null {
  if (!FRAME.test(t)) return null
  let sp = 0
  while (sp < t.length && t.charCodeAt(sp) > 32) sp++
  let rest = t.slice(sp).trim()
  let dso: string | undefined
  if (rest.endsWith(')')) {
    const paren = rest.lastIndexOf(' (')
    if (paren >= 0) { dso = rest.slice(paren + 2, -1); rest = rest.slice(0, paren).trim() }
    else if (rest[0] === '(') { dso = rest.slice(1, -1); rest = '' }
  }
  const info: FrameInfo = { name: (keepOffset ? rest : stripOffset(rest)) || (dso === undefined ? t.slice(0, sp) : '[unknown]'), kind: 'native' }
  if (dso === 'inlined') return info
  if (dso && dso !== '[unknown]') info.module = dso.replace(/^.*\//, '')
  if (info.name.startsWith('JS:') || dso === '[js]') info.kind = 'js'
  return info
}

interface Thread { name: string; tree: CallTree }

export function createPerfScriptImporter(name: string, opts: ImporterOptions = {}): LineImporter {
  const profile = createProfile(name, 'perf-script', 'samples')
  const threads = new Map<string, Thread>()
  const ids = new Map<string, number>()
  const bad = (lineNo: number, reason: string) => new ParseError(name, lineNo, reason, 'perf script')
  let current: Thread | null = null
  const stack: number[] = [] // frame ids, leaf first
  let lastRaw = '' // the text of the last frame, for a srcline line under it
  let samples = 0
  let headerless = false // -F without comm/pid/tid/time/event: samples are bare frame blocks
  let afterBlank = true

  const frameId = (raw: string, lineNo: number): number => {
    let id = ids.get(raw)
    if (id !== undefined) return id
    const nl = raw.indexOf('\n')
    // --lines: the srcline's file:line, else the offset in the function (the call site)
    const info = nl < 0 ? parseFrame(raw, opts.lines) : parseFrame(raw.slice(0, nl))
    if (!info) throw bad(lineNo, `bad frame "${raw.slice(0, 60)}"`)
    if (nl >= 0 && opts.lines) {
      const src = raw.slice(nl + 1), colon = src.lastIndexOf(':')
      const ln = Number(src.slice(colon + 1))
      if (colon > 0 && Number.isInteger(ln) && ln > 0) { info.file = src.slice(0, colon); info.line = ln }
    }
    id = profile.frames.intern(info)
    ids.set(raw, id)
    return id
  }
  const flush = (lineNo: number) => {
    if (!current) return
    const tree = current.tree
    let node = 0
    for (let i = stack.length - 1; i >= 0; i--) node = tree.child(node, stack[i])
    if (node === 0) node = tree.child(0, frameId('0 [unknown]', lineNo))
    tree.self[node] += 1
    samples++
    stack.length = 0
    lastRaw = ''
    current = null
  }
  const push = (t: string, lineNo: number) => { stack.push(frameId(t, lineNo)); lastRaw = t }
  const reject = (lineNo: number, reason: string): boolean => {
    if (opts.strict) throw bad(lineNo, reason)
    return false
  }
  return {
    line(raw, lineNo) {
      const c = raw.charCodeAt(0)
      if (c === 9 && current) { // fast path: a known frame of the current sample
        const t = raw.trim()
        const id = t === '' ? undefined : ids.get(t)
        if (id !== undefined) { stack.push(id); lastRaw = t; afterBlank = false; return true }
      }
      if (raw.length === 0 || ((c === 32 || c === 9) && raw.trim() === '')) { flush(lineNo); afterBlank = true; return true }
      const blank = afterBlank
      afterBlank = false
      if (c === 35) return true // '# ' header comments of perf script --header
      // Frames are indented; so are headers without a callchain (comm printed as %16s).
      const h = c === 9 ? null : parseHeader(raw)
      if (!h && (c === 9 || c === 32)) {
        const t = raw.trim()
        if (!current && blank && (samples === 0 || headerless) && FRAME.test(t)) {
          headerless = true
          current = threads.get('') ?? { name: 'all', tree: new CallTree() }
          threads.set('', current)
        }
        if (!current) {
          if (samples === 0) return reject(lineNo, 'expected a sample header (comm pid[/tid] … event:) before the first frame')
          throw bad(lineNo, 'frame line outside a sample (a header line is missing)')
        }
        if (FRAME.test(t)) { push(t, lineNo); return true }
        // srcline (-F +srcline) under its frame: 'file:line', '??:0', '[kernel.kallsyms][ffff…]'
        if (lastRaw !== '' && /^\S+$/.test(t)) { stack[stack.length - 1] = frameId(lastRaw + '\n' + t, lineNo); lastRaw = ''; return true }
        throw bad(lineNo, `expected a frame or a blank line, got "${t.slice(0, 60)}"`)
      }
      if (h && current && (c === 32 || c === 9) && FRAME.test(raw.trim())) { push(raw.trim(), lineNo); return true }
      flush(lineNo)
      if (!h) {
        if (samples === 0) return reject(lineNo, `expected a sample header (comm pid[/tid] [cpu] time: period event:), got "${raw.slice(0, 60)}"`)
        throw bad(lineNo, `expected a sample header or a frame, got "${raw.slice(0, 60)}"`)
      }
      let t = threads.get(h.key)
      if (!t) { t = { name: `${h.comm || '?'}-${h.key}`, tree: new CallTree() }; threads.set(h.key, t) }
      current = t
      if (h.tail !== '' && FRAME.test(h.tail)) push(h.tail, lineNo) // no callchain: ip sym (dso)
      return true
    },
    finish() {
      flush(0)
      if (!samples) return null
      const keys = [...threads.keys()].sort((a, b) => { const x = a.split('/').map(Number), y = b.split('/').map(Number); return x[0] - y[0] || (x[1] ?? 0) - (y[1] ?? 0) })
      for (const k of keys) { const t = threads.get(k)!; profile.threads.push({ name: t.name, tree: t.tree }) }
      profile.meta.samples = samples
      return profile
    },
  }
}

export function importFromPerfScript(text: string, name: string, opts?: ImporterOptions): Profile | null {
  return runLines(createPerfScriptImporter(name, opts), text)
}
