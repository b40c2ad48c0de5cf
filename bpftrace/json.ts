// A small JSON reader that keeps duplicate object keys. bpftrace 0.17 can print the same
// stack text twice in one map object (two stack ids whose printed frames coincide), and
// JSON.parse would keep only the last count. Objects come back as JsonObject (ordered
// [key, value] entries, duplicates kept); arrays as arrays; scalars as JS values.
// Input is one bpftrace output line (bounded by the bridge), so recursion depth is small.

export class JsonObject {
  constructor(readonly entries: [string, unknown][]) {}
  get(key: string): unknown { return this.entries.find(([k]) => k === key)?.[1] }
}

export function readJson(text: string): unknown {
  let i = 0
  const ws = (): void => { while (i < text.length && ' \t\n\r'.includes(text[i])) i++ }
  const fail = (what: string): never => { throw new SyntaxError(`bad JSON at ${i}: ${what}`) }

  function str(): string {
    const start = i
    i++ // opening quote
    let simple = true
    while (i < text.length && text[i] !== '"') { if (text[i] === '\\') { simple = false; i++ } i++ }
    if (i >= text.length) fail('unterminated string')
    i++
    const raw = text.slice(start, i)
    return simple ? raw.slice(1, -1) : JSON.parse(raw) as string
  }

  function value(): unknown {
    ws()
    const c = text[i]
    if (c === '{') {
      i++
      const entries: [string, unknown][] = []
      ws()
      if (text[i] === '}') { i++; return new JsonObject(entries) }
      for (;;) {
        ws()
        if (text[i] !== '"') fail('expected key')
        const k = str()
        ws()
        if (text[i] !== ':') fail('expected :')
        i++
        entries.push([k, value()])
        ws()
        if (text[i] === ',') { i++; continue }
        if (text[i] === '}') { i++; return new JsonObject(entries) }
        fail('expected , or }')
      }
    }
    if (c === '[') {
      i++
      const out: unknown[] = []
      ws()
      if (text[i] === ']') { i++; return out }
      for (;;) {
        out.push(value())
        ws()
        if (text[i] === ',') { i++; continue }
        if (text[i] === ']') { i++; return out }
        fail('expected , or ]')
      }
    }
    if (c === '"') return str()
    const m = /^(?:-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i, i + 40))
    if (!m) return fail('unexpected character')
    i += m[0].length
    return JSON.parse(m[0])
  }

  const v = value()
  ws()
  if (i !== text.length) fail('trailing characters')
  return v
}
