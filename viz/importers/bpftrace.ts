// bpftrace map output with stack keys, as printed at exit by
// `bpftrace -e 'profile:hz:99 /pid == N/ { @[ustack] = count(); }'` (also kstack, and
// tuples such as @[kstack, ustack]): each entry is a key then its count, stacks printed
// leaf first, one frame per line, tuple elements separated by a line holding ",".
// Producer: bpftrace (github.com/bpftrace/bpftrace, docs/reference_guide.md, "ustack").
//   @[
//       fib+151
//       main+20
//   ]: 42
// Single-line keys (`@[comm]: 7`) become one-frame stacks. Frame offsets (`+151`,
// `+0x2b`) are dropped so one function is one frame; unresolved addresses stay as
// written; `ustack(perf)` frames (`7f17… fib+35 (/usr/bin/app)`) are function + module.
// Tuples: scalar elements (`@[comm, ustack]`: the comm on the `@[` line) are the root,
// stacks follow in the printed order reversed, except that a kernel stack (kernel entry
// frames or addresses) is always above the user stack: @[kstack, ustack] and
// @[ustack, kstack] both give user root … user leaf, kernel root … kernel leaf. An empty
// stack (`, ]: 1`) adds nothing. Each map name is one thread when there are several.
// Unit: samples (the count; use count() maps).
import { createProfile, CallTree, ParseError, type Profile } from '../model/profile'
import { firstLines, runLines, type LineImporter } from './line-importer'
import { parseCount } from './folded'
import { checkWeight } from './weight-check'
import type { ImporterOptions } from './import-options'
import { bpftraceFrame, orderParts } from './bpftrace-frames'

// bpftrace's own messages (2>&1): skipped wherever they are.
const MESSAGE = /^(Lost \d+ events|WARNING|ERROR)/
const ATTACHING = /^Attaching \d+ probes?\.\.\./

export function isBpftrace(head: string): boolean {
  const lines = firstLines(head, 40).filter((l) => !MESSAGE.test(l))
  const isKey = (l: string | undefined) => l !== undefined && /^@\w*(\[|: )/.test(l)
  if (lines.length === 0) return false
  // after 'Attaching', the traced program's own output may come before the maps
  return isKey(lines[0]) || (ATTACHING.test(lines[0]) && (lines.length === 1 || lines.slice(1).some(isKey)))
}

export function createBpftraceImporter(name: string, opts: ImporterOptions = {}): LineImporter {
  const profile = createProfile(name, 'bpftrace', 'samples')
  const trees = new Map<string, CallTree>()
  const ids = new Map<string, number>()
  let parts: string[][] | null = null // the stack key being read: tuple parts, each leaf first
  let map = ''
  let entries = 0
  let started = false
  let attached = false
  const frameId = (raw: string): number => {
    let id = ids.get(raw)
    if (id === undefined) { id = profile.frames.intern(bpftraceFrame(raw, opts.lines)); ids.set(raw, id) }
    return id
  }
  const add = (mapName: string, stacks: string[][], countText: string, lineNo: number) => {
    const count = parseCount(countText.trim())
    if (Number.isNaN(count)) throw new ParseError(name, lineNo, `bad count "${countText.trim()}"`, 'bpftrace')
    checkWeight(count, name, lineNo, 'count', { shown: `"${countText.trim()}"`, format: 'bpftrace' })
    let tree = trees.get(mapName)
    if (!tree) { tree = new CallTree(); trees.set(mapName, tree) }
    let node = 0
    for (const s of orderParts(stacks)) {
      for (let i = s.length - 1; i >= 0; i--) node = tree.child(node, frameId(s[i]))
    }
    if (node === 0) node = tree.child(0, frameId('[empty stack]'))
    tree.self[node] += count
    entries++
  }
  return {
    line(raw, lineNo) {
      if (parts) {
        const t = raw.trim()
        if (t.startsWith(']:')) { add(map, parts, t.slice(2), lineNo); parts = null }
        else if (t.startsWith(',') && t.slice(1).trim().startsWith(']:')) { parts.push([]); add(map, parts, t.slice(1).trim().slice(2), lineNo); parts = null }
        else if (t === ',') parts.push([])
        else if (t !== '') parts[parts.length - 1].push(t)
        return true
      }
      if (raw.trim() === '') return true
      if (!started) {
        if (ATTACHING.test(raw)) { attached = true; return true }
        if (raw[0] !== '@' && (attached || MESSAGE.test(raw))) return true // the program's output, bpftrace's messages
        if (raw[0] !== '@') {
          if (opts.strict) throw new ParseError(name, lineNo, `expected a map entry (@name[...]: count), got "${raw.slice(0, 40)}"`, 'bpftrace')
          return false
        }
        started = true
      }
      if (raw[0] !== '@') {
        if (MESSAGE.test(raw)) return true
        throw new ParseError(name, lineNo, `expected a map entry (@name[...]: count), got "${raw.slice(0, 40)}"`, 'bpftrace')
      }
      const br = raw.indexOf('[')
      const colon = raw.indexOf(':')
      if (br < 0 || (colon >= 0 && colon < br)) return true // scalar map (@n: 76): not a stack
      map = raw.slice(0, br)
      if (raw.length === br + 1) { parts = [[]]; return true }
      const close = raw.lastIndexOf(']:')
      if (close < 0 && raw.trimEnd().endsWith(',')) {
        // a tuple whose first elements are scalars on the '@[' line: '@[node, '
        parts = raw.slice(br + 1).trimEnd().slice(0, -1).split(', ').map((x) => [x.trim()])
        parts.push([])
        return true
      }
      if (close < 0) throw new ParseError(name, lineNo, 'map key without "]: count"', 'bpftrace')
      add(map, [[raw.slice(br + 1, close)]], raw.slice(close + 2), lineNo)
      return true
    },
    finish() {
      if (parts) throw new ParseError(name, undefined, 'input ends inside a map key (truncated output?)', 'bpftrace')
      if (!entries && (started || attached)) throw new ParseError(name, undefined, 'no stack map entries (did bpftrace exit before printing its maps?)', 'bpftrace')
      if (!entries) return null
      for (const [m, tree] of trees) profile.threads.push({ name: trees.size > 1 ? m : 'all', tree })
      profile.meta.entries = entries
      return profile
    },
  }
}

export function importFromBpftrace(text: string, name: string, opts?: ImporterOptions): Profile | null {
  return runLines(createBpftraceImporter(name, opts), text)
}
