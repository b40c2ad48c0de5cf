// JSON parsing for the JSON-based importers (cpuprofile, heapprofile, gprof2dot JSON):
// a syntax error becomes a ParseError with V8's reason (and the line when V8 gives a
// position), "truncated" only when the parser ran off the end; lineOf() finds the line of a key in the source so semantic errors (dangling
// node ids) can name a line too.
import { ParseError } from '../model/profile'

export function lineAt(text: string, offset: number): number {
  let line = 1
  let i = text.indexOf('\n')
  while (i >= 0 && i < offset) { line++; i = text.indexOf('\n', i + 1) }
  return line
}

/** The line of the first match of `re` in `text`, or undefined. */
export function lineOf(text: string, re: RegExp): number | undefined {
  const m = re.exec(text)
  return m ? lineAt(text, m.index) : undefined
}

// V8's messages differ by version and by error: some carry "at position N", others only a
// snippet ("Unexpected token 'x', \"...\" is not valid JSON"). Only an input that really
// ends inside a value is called truncated; every other error keeps V8's own words, with the
// line when V8 gave a position.
export function parseJson(text: string, name: string): unknown {
  try {
    return JSON.parse(text)
  } catch (e) {
    const msg = (e as Error).message
    const m = / at position (\d+)/.exec(msg)
    const end = text.trimEnd().length
    const pos = m ? Number(m[1]) : undefined
    if (/end of JSON input/.test(msg) || (pos !== undefined && pos >= end)) {
      throw new ParseError(name, lineAt(text, end), 'truncated JSON (input ends inside a value)')
    }
    const reason = msg.replace(/ in JSON at position \d+.*$/, '').replace(/, (?:\.\.\.)?".*is not valid JSON$/s, '').split('\n')[0]
    throw new ParseError(name, pos === undefined ? undefined : lineAt(text, pos), `invalid JSON: ${reason}`)
  }
}

export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/** True when the head starts (after whitespace) with `{` and mentions one of the keys early. */
export function jsonHeadHas(head: string, keys: string[]): boolean {
  const t = head.trimStart()
  if (t[0] !== '{') return false
  const window = t.slice(0, 65536)
  return keys.some((k) => window.includes(`"${k}"`))
}
