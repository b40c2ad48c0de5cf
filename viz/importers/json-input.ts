// JSON parsing for the JSON-based importers (cpuprofile, heapprofile, gprof2dot JSON):
// a syntax error becomes a ParseError naming the line, and "truncated" when the parser ran
// off the end; lineOf() finds the line of a key in the source so semantic errors (dangling
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

export function parseJson(text: string, name: string): unknown {
  try {
    return JSON.parse(text)
  } catch (e) {
    const msg = (e as Error).message
    const m = / at position (\d+)/.exec(msg)
    const end = text.trimEnd().length
    const pos = m ? Number(m[1]) : end
    if (pos >= end || /end of JSON input/.test(msg)) {
      throw new ParseError(name, lineAt(text, end), 'truncated JSON (input ends inside a value)')
    }
    const reason = msg.replace(/ in JSON at position \d+.*$/, '').replace(/, ".*" is not valid JSON$/, '')
    throw new ParseError(name, lineAt(text, pos), `invalid JSON: ${reason}`)
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
