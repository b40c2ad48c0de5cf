// DTrace stack aggregations, as `dtrace` prints them at exit (illumos, Solaris, macOS,
// FreeBSD): `dtrace -n 'profile-997 /pid == $target/ { @[ustack()] = count(); }'`, also
// stack() (kernel) and jstack() (with JavaScript frames from a ustack helper). Each entry is
// one frame a line, leaf first, then the count alone on its line; entries are separated
// by blank lines. Before them: `dtrace: description … matched N probes` and, when a probe
// such as tick-60s fired, the `CPU ID FUNCTION:NAME` header and its probe lines.
// Sources: the DTrace Guide, "stack()" and "ustack()" (docs.oracle.com, Solaris Dynamic
// Tracing Guide), gprof2dot's DtraceParser (jrfonseca/gprof2dot), FlameGraph's
// stackcollapse.pl, and Dave Pacheco's "Profiling Node.js" (dtrace.org/blogs/dap) for jstack.
//   CPU     ID                    FUNCTION:NAME
//     1  29684                        :tick-60s
//
//                 libc.so.1`_write+0x8
//                 a.out`main+0x2c
//                  17
// Frames: `module`function+0xoff` → function in module (offset dropped); `module`0x1f2a`
// (no symbol) and bare `0x…` addresses stay as written; jstack's `name at file line N` /
// `name as alias at file position N` are JS functions of that file; `<< adaptor >>` and
// the like are pseudo frames. A count with no frames above it (an empty stack) is charged to
// `[empty stack]`. One thread; unit samples (the count).
import { createProfile, CallTree, ParseError, type FrameInfo, type Profile } from '../model/profile'
import { firstLines, runLines, type LineImporter } from './line-importer'
import { parseCount } from './folded'
import { checkWeight } from './weight-check'
import { stripOffset, type ImporterOptions } from './import-options'

const CPU_HEADER = /^\s*CPU\s+ID\s+FUNCTION:NAME\s*$/
const PROBE_LINE = /^\s*\d+\s+\d+\s+\S*:\S*\s*$/
const COUNT = /^\s*\d+(\.\d+)?\s*$/
const JS_FRAME = /^(.*?) at (\S.*?) (line|position) (\d+)$/

function isPreamble(l: string): boolean {
  return l.startsWith('dtrace:') || l.trim() === '^C' || CPU_HEADER.test(l) || PROBE_LINE.test(l)
}

export function isDtrace(head: string): boolean {
  // deep stacks (ustackframes=100) put the first count far down: look at many lines
  const lines = firstLines(head, 400).filter((l) => !isPreamble(l))
  if (lines.length < 2) return false
  const first = lines[0]
  if (!/^\s/.test(first) || COUNT.test(first)) return false
  const t = first.trim()
  if (!/^[^`\s]+`\S/.test(t) && !/^0x[0-9a-fA-F]+$/.test(t)) return false
  return lines.some((l) => COUNT.test(l))
}

/** One frame line; `keepOffset` (--lines) keeps `+0x…`, the call site in the function. */
export function parseDtraceFrame(t: string, keepOffset?: boolean): FrameInfo {
  const strip = keepOffset ? (x: string) => x : stripOffset
  const tick = t.indexOf('`')
  if (tick > 0) return { name: strip(t.slice(tick + 1)), module: t.slice(0, tick).replace(/^.*\//, ''), kind: 'native' }
  if (t.startsWith('<<') && t.endsWith('>>')) return { name: t, kind: 'pseudo' }
  const js = JS_FRAME.exec(t)
  if (js) return js[3] === 'line' ? { name: js[1], file: js[2], line: Number(js[4]), kind: 'js' } : { name: js[1], file: js[2], column: Number(js[4]), kind: 'js' }
  return { name: strip(t), kind: 'native' }
}

export function createDtraceImporter(name: string, opts: ImporterOptions = {}): LineImporter {
  const profile = createProfile(name, 'dtrace', 'samples')
  const tree = new CallTree()
  const ids = new Map<string, number>()
  const stack: number[] = [] // frame ids of the entry being read, leaf first
  const bad = (lineNo: number, reason: string) => new ParseError(name, lineNo, reason, 'DTrace')
  let entries = 0
  let started = false
  const frameId = (t: string): number => {
    let id = ids.get(t)
    if (id === undefined) { id = profile.frames.intern(parseDtraceFrame(t, opts.lines)); ids.set(t, id) }
    return id
  }
  return {
    line(raw, lineNo) {
      const t = raw.trim()
      if (t === '') {
        if (stack.length) throw bad(lineNo, 'expected a frame or the count, got a blank line (a stack without its count)')
        return true
      }
      if (!started && stack.length === 0 && isPreamble(raw)) return true
      if (COUNT.test(t)) {
        if (!stack.length && !started && !opts.strict) return false
        const count = parseCount(t)
        checkWeight(count, name, lineNo, 'count', { shown: `"${t}"`, format: 'DTrace' })
        let node = 0
        for (let i = stack.length - 1; i >= 0; i--) node = tree.child(node, stack[i])
        // an empty key (a sample with no user stack, e.g. in the kernel) prints the count alone
        if (node === 0) node = tree.child(0, frameId('[empty stack]'))
        tree.self[node] += count
        stack.length = 0
        entries++
        started = true
        return true
      }
      if (!/^\s/.test(raw)) {
        if (!started && !opts.strict) return false
        throw bad(lineNo, `expected an indented frame or a count, got "${t.slice(0, 60)}"`)
      }
      stack.push(frameId(t))
      return true
    },
    finish() {
      if (stack.length) throw new ParseError(name, undefined, 'input ends inside a stack (no count after its frames: truncated output?)', 'DTrace')
      if (!entries) return null
      profile.threads.push({ name: 'all', tree })
      profile.meta.entries = entries
      return profile
    },
  }
}

export function importFromDtrace(text: string, name: string, opts?: ImporterOptions): Profile | null {
  return runLines(createDtraceImporter(name, opts), text)
}
