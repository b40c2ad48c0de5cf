// Folded stacks, the FlameGraph lingua franca: one line per distinct stack, frames root
// first separated by ';', then a space and the sample count (the count is the text after
// the LAST space, so frames may contain spaces). Producer/spec: Brendan Gregg's
// FlameGraph stackcollapse-*.pl scripts and flamegraph.pl (github.com/brendangregg/FlameGraph).
//   main;handle;parse 42
//   main;idle 7
// Frames with their line, as py-spy, rbspy and others write them (`fib (app.py:12)`), are
// the function `fib` of file app.py: the line is kept only with the `lines` option.
// Written for speed on 40 MB inputs: indexOf instead of regex or split, frames interned
// once through a name→id map, the tree walked in place.
import { createProfile, CallTree, ParseError, type Profile } from '../model/profile'
import { runLines, type LineImporter } from './line-importer'
import { checkWeight } from './weight-check'
import type { ImporterOptions } from './import-options'
import type { FrameInfo } from '../model/profile'

const WITH_LINE = /^(.+?) \(([^()]+):(\d+)\)$/

/** 'fib (app.py:12)' → fib in app.py (line 12 with `lines`); any other text is the name. */
export function foldedFrame(s: string, lines?: boolean): FrameInfo {
  const m = s.charCodeAt(s.length - 1) === 41 ? WITH_LINE.exec(s) : null
  if (!m) return { name: s }
  return lines ? { name: m[1], file: m[2], line: Number(m[3]) } : { name: m[1], file: m[2] }
}

/** The count after the last space: a non-negative decimal, or NaN. */
export function parseCount(s: string): number {
  const n = s.length
  if (n === 0) return NaN
  let dots = 0
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i)
    if (c === 46) { if (++dots > 1) return NaN } else if (c < 48 || c > 57) return NaN
  }
  return Number(s)
}

function looksFolded(line: string): boolean {
  const t = line.trim()
  const sp = t.lastIndexOf(' ')
  return sp > 0 && t[0] !== '{' && t[0] !== '#' && !Number.isNaN(parseCount(t.slice(sp + 1)))
}

export function isFolded(head: string): boolean {
  const t = head.trimStart()
  const nl = t.indexOf('\n')
  // A first line longer than the head (deep stacks) cannot show its count: accept frames.
  if (nl < 0 && t.length >= 32 * 1024) return t[0] !== '{' && t[0] !== '#' && t[0] !== '@' && t.includes(';')
  return looksFolded(nl < 0 ? t : t.slice(0, nl))
}

export function createFoldedImporter(name: string, opts: ImporterOptions = {}): LineImporter {
  const profile = createProfile(name, 'folded', 'samples')
  const tree = new CallTree()
  const ids = new Map<string, number>()
  let seen = 0
  const frameId = (s: string): number => {
    let id = ids.get(s)
    if (id === undefined) { id = profile.frames.intern(foldedFrame(s, opts.lines)); ids.set(s, id) }
    return id
  }
  return {
    line(raw, lineNo) {
      let end = raw.length
      while (end > 0 && raw.charCodeAt(end - 1) <= 32) end--
      let start = 0
      while (start < end && raw.charCodeAt(start) <= 32) start++
      if (start === end) return true
      const sp = raw.lastIndexOf(' ', end - 1)
      const count = sp > start ? parseCount(raw.slice(sp + 1, end)) : NaN
      if (Number.isNaN(count)) {
        if (seen === 0 && !opts.strict) return false
        if (sp <= start) throw new ParseError(name, lineNo, 'missing sample count after the stack', 'folded')
        throw new ParseError(name, lineNo, `bad count "${raw.slice(sp + 1, end)}"`, 'folded')
      }
      checkWeight(count, name, lineNo, 'count', { shown: `"${raw.slice(sp + 1, end)}"`, format: 'folded' })
      seen++
      let stackEnd = sp
      while (stackEnd > start && raw.charCodeAt(stackEnd - 1) === 32) stackEnd--
      let node = 0
      let i = start
      while (i <= stackEnd) {
        let j = raw.indexOf(';', i)
        if (j < 0 || j > stackEnd) j = stackEnd
        node = tree.child(node, frameId(raw.slice(i, j)))
        i = j + 1
      }
      tree.self[node] += count
      return true
    },
    finish() {
      if (seen === 0) return null
      profile.threads.push({ name: 'all', tree })
      profile.meta.stacks = seen
      return profile
    },
  }
}

export function importFromFolded(text: string, name: string, opts?: ImporterOptions): Profile | null {
  return runLines(createFoldedImporter(name, opts), text)
}
