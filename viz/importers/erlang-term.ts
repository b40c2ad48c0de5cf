// A reader for the Erlang terms that `io:format("~p")` prints, one top-level term per
// `Term.` (erl_scan/erl_parse syntax, the subset ~p emits): atoms (bare and quoted,
// with escapes), strings (adjacent literals concatenate, as ~p splits long ones),
// integers (also Base#Digits), floats, tuples, lists (with `| Tail`), maps `#{K => V}`,
// binaries `<<"a",1:4>>`, pids `<0.80.0>` and the opaque `#Fun<..>`/`#Ref<..>`/`#Port<..>`.
// `%` starts a comment to the end of the line. It works on character codes and slices,
// never by re-scanning, so input size is read once. Errors name the line.
// Quirk kept on purpose: a trailing comma before `]` is accepted, because fprof prints
// `[{Pid, ...},` + `   ].` for a process with no extra information.

import { Atom, ErlMap, Opaque, Tuple, type Term } from './erlang-term-format'

export { Atom, ErlMap, formatAtom, formatTerm, Opaque, Tuple, type Term } from './erlang-term-format'

/** Thrown by the reader; the importer turns it into a ParseError naming the file. */
export class TermSyntaxError extends Error {
  constructor(readonly line: number, readonly reason: string) {
    super(`line ${line}: ${reason}`)
  }
}

interface Open {
  kind: 'tuple' | 'list' | 'map'
  /** Line of the opening bracket. */
  line: number
  items: Term[]
  entries: [Term, Term][]
  /** A map key read, waiting for its value (boxed: a key may be any term). */
  key: [Term] | undefined
  /** After `|` in a list: the next value is the tail. */
  tail: boolean
}
const CLOSE = { tuple: '}', list: ']', map: '}' } as const
const close = (o: Open): Term => o.kind === 'tuple' ? new Tuple(o.items, o.line) : o.kind === 'map' ? new ErlMap(o.entries) : o.items

const isDigit = (c: number) => c >= 48 && c <= 57
const isLower = (c: number) => c >= 97 && c <= 122
const isNameChar = (c: number) => isDigit(c) || isLower(c) || (c >= 65 && c <= 90) || c === 95 || c === 64
const isSpace = (c: number) => c === 32 || c === 9 || c === 13 || c === 10 || c === 12 || c === 11

const SIMPLE_ESCAPES: Record<string, string> = { b: '\b', d: '\x7f', e: '\x1b', f: '\f', n: '\n', r: '\r', s: ' ', t: '\t', v: '\v' }

export class TermReader {
  private pos = 0
  /** 1-based line of the reading position. */
  line = 1
  /** Line where the last term returned by next() started. */
  termLine = 1

  constructor(private readonly text: string) {}

  /** The next top-level term (`Term.`), or undefined at the end of the input. */
  next(): Term | undefined {
    this.skipSpace()
    if (this.pos >= this.text.length) return undefined
    this.termLine = this.line
    const t = this.term()
    this.skipSpace()
    const c = this.text.charCodeAt(this.pos)
    if (c !== 46 /* . */) this.fail(this.pos >= this.text.length ? 'unexpected end of input: term not closed by "."' : `expected "." after a term, found ${this.show()}`)
    this.pos++
    return t
  }

  private fail(reason: string): never {
    throw new TermSyntaxError(this.line, reason)
  }

  private show(): string {
    if (this.pos >= this.text.length) return 'end of input'
    return JSON.stringify(this.text.slice(this.pos, this.pos + 12).split('\n')[0] || '\n')
  }

  private skipSpace(): void {
    const s = this.text
    while (this.pos < s.length) {
      const c = s.charCodeAt(this.pos)
      if (c === 10) { this.line++; this.pos++ } else if (isSpace(c)) this.pos++
      else if (c === 37 /* % */) {
        const nl = s.indexOf('\n', this.pos)
        this.pos = nl < 0 ? s.length : nl
      } else break
    }
  }

  private expect(ch: string, context: string): void {
    this.skipSpace()
    if (this.text[this.pos] !== ch) this.fail(`expected "${ch}" ${context}, found ${this.show()}`)
    this.pos++
  }

  // Containers are read with an explicit stack, not recursion: input nesting depth is
  // unbounded (100 000 `[` must be a syntax error or a term, never a stack overflow).
  private term(): Term {
    const stack: Open[] = []
    for (;;) {
      let value: Term | undefined = this.open(stack)
      while (value !== undefined) {
        const top = stack[stack.length - 1]
        if (!top) return value
        value = this.add(top, value)
        if (value !== undefined) stack.pop()
      }
    }
  }

  /** Reads a scalar, or opens a container (pushed; an empty one is returned at once). */
  private open(stack: Open[]): Term | undefined {
    this.skipSpace()
    const s = this.text
    const c = s.charCodeAt(this.pos)
    if (this.pos >= s.length) this.fail('unexpected end of input: a term is missing')
    const kind = c === 123 /* { */ ? 'tuple' : c === 91 /* [ */ ? 'list' : c === 35 && s[this.pos + 1] === '{' ? 'map' : null
    if (kind === null) return this.scalar(c)
    const o: Open = { kind, line: this.line, items: [], entries: [], key: undefined, tail: false }
    this.pos += kind === 'map' ? 2 : 1
    this.skipSpace()
    if (s[this.pos] === CLOSE[kind]) { this.pos++; return close(o) }
    stack.push(o)
    return undefined
  }

  /** Adds a value to the open container and reads what follows it: the closed container, or undefined for "more". */
  private add(o: Open, v: Term): Term | undefined {
    const s = this.text
    if (o.kind === 'map' && o.key === undefined) {
      o.key = [v]
      this.skipSpace()
      if (!s.startsWith('=>', this.pos)) this.fail(`expected "=>" in a map, found ${this.show()}`)
      this.pos += 2
      return undefined
    }
    if (o.kind === 'map') { o.entries.push([o.key![0], v]); o.key = undefined } else o.items.push(v)
    if (o.tail) { this.expect(']', 'after an improper list tail'); return close(o) }
    this.skipSpace()
    const ch = s[this.pos]
    if (ch === CLOSE[o.kind]) { this.pos++; return close(o) }
    if (ch === ',') {
      this.pos++
      this.skipSpace()
      if (o.kind === 'list' && s[this.pos] === ']') { this.pos++; return close(o) }
      return undefined
    }
    // Improper lists only occur inside process information; the tail is kept as an element.
    if (o.kind === 'list' && ch === '|') { this.pos++; o.tail = true; return undefined }
    if (this.pos >= s.length) this.fail(`unexpected end of input inside a ${o.kind} opened on line ${o.line}`)
    this.fail(`expected "," or "${CLOSE[o.kind]}" in a ${o.kind}, found ${this.show()}`)
  }

  private scalar(c: number): Term {
    const s = this.text
    if (c === 39 /* ' */) return new Atom(this.quoted(39))
    if (c === 34 /* " */) return this.strings()
    if (isDigit(c) || (c === 45 && isDigit(s.charCodeAt(this.pos + 1)))) return this.number()
    if (isLower(c)) {
      const start = this.pos
      while (this.pos < s.length && isNameChar(s.charCodeAt(this.pos))) this.pos++
      return new Atom(s.slice(start, this.pos))
    }
    if (c === 60 /* < */) return s.charCodeAt(this.pos + 1) === 60 ? this.binary() : this.pid()
    if (c === 35 /* # */) return this.opaque()
    return this.fail(`unexpected ${this.show()}`)
  }

  private number(): number {
    const s = this.text
    const start = this.pos
    if (s.charCodeAt(this.pos) === 45) this.pos++
    while (isDigit(s.charCodeAt(this.pos))) this.pos++
    let value: number
    if (s[this.pos] === '#') {
      const base = Number(s.slice(start, this.pos))
      const digitsStart = ++this.pos
      while (this.pos < s.length && isNameChar(s.charCodeAt(this.pos))) this.pos++
      value = parseInt(s.slice(digitsStart, this.pos), base)
      if (!(base >= 2 && base <= 36) || !/^[0-9a-zA-Z]+$/.test(s.slice(digitsStart, this.pos)) || Number.isNaN(value)) this.fail(`bad number "${s.slice(start, this.pos)}"`)
      return value
    }
    if (s[this.pos] === '.' && isDigit(s.charCodeAt(this.pos + 1))) {
      this.pos++
      while (isDigit(s.charCodeAt(this.pos))) this.pos++
      if (s[this.pos] === 'e' || s[this.pos] === 'E') {
        this.pos++
        if (s[this.pos] === '+' || s[this.pos] === '-') this.pos++
        if (!isDigit(s.charCodeAt(this.pos))) this.fail(`bad number "${s.slice(start, this.pos + 1)}"`)
        while (isDigit(s.charCodeAt(this.pos))) this.pos++
      }
    }
    if (isNameChar(s.charCodeAt(this.pos)) || (s[this.pos] === '.' && isDigit(s.charCodeAt(this.pos + 1)))) {
      let end = this.pos
      while (end < s.length && (isNameChar(s.charCodeAt(end)) || (s[end] === '.' && isNameChar(s.charCodeAt(end + 1))))) end++
      this.fail(`bad number "${s.slice(start, end)}"`)
    }
    value = Number(s.slice(start, this.pos))
    return value
  }

  /** Quoted atom or string body; pos is at the opening quote. */
  private quoted(quote: number): string {
    const s = this.text
    const openLine = this.line
    let start = ++this.pos
    let parts: string[] | undefined
    for (;;) {
      if (this.pos >= s.length) this.fail(`unexpected end of input inside a quoted ${quote === 39 ? 'atom' : 'string'} opened on line ${openLine}`)
      const c = s.charCodeAt(this.pos)
      if (c === quote) break
      if (c === 10) this.line++
      if (c !== 92 /* \ */) { this.pos++; continue }
      ;(parts ??= []).push(s.slice(start, this.pos))
      this.pos++
      parts.push(this.escape())
      start = this.pos
    }
    const last = s.slice(start, this.pos)
    this.pos++
    return parts ? parts.join('') + last : last
  }

  /** One escape sequence after the backslash. */
  private escape(): string {
    const s = this.text
    const c = s[this.pos]
    if (c === undefined) this.fail('unexpected end of input in an escape sequence')
    if (c >= '0' && c <= '7') {
      const m = /^[0-7]{1,3}/.exec(s.slice(this.pos, this.pos + 3))!
      this.pos += m[0].length
      return String.fromCodePoint(parseInt(m[0], 8))
    }
    if (c === 'x') {
      const m = /^x(\{[0-9a-fA-F]+\}|[0-9a-fA-F]{2})/.exec(s.slice(this.pos, this.pos + 12))
      if (!m) this.fail('bad \\x escape')
      this.pos += m[0].length
      const code = parseInt(m[1].replace(/[{}]/g, ''), 16)
      if (code > 0x10ffff) this.fail(`bad \\x escape: ${m[0].replace(/^x/, '\\x')} is above the last code point \\x{10FFFF}`)
      return String.fromCodePoint(code)
    }
    if (c === '^') {
      const ctl = s.charCodeAt(this.pos + 1)
      this.pos += 2
      return String.fromCharCode(ctl & 31)
    }
    this.pos++
    if (c === '\n') this.line++
    return SIMPLE_ESCAPES[c] ?? c
  }

  private strings(): string {
    let out = this.quoted(34)
    // ~p splits long strings into adjacent literals: "abc"\n "def" is one string.
    for (;;) {
      const save = this.pos, saveLine = this.line
      this.skipSpace()
      if (this.text.charCodeAt(this.pos) !== 34) { this.pos = save; this.line = saveLine; return out }
      out += this.quoted(34)
    }
  }

  private pid(): Opaque {
    const m = /^<\d+\.\d+\.\d+>/.exec(this.text.slice(this.pos, this.pos + 40))
    if (!m) this.fail(`bad pid ${this.show()}`)
    this.pos += m[0].length
    return new Opaque('pid', m[0])
  }

  private binary(): Opaque {
    const s = this.text
    const start = this.pos
    this.pos += 2
    this.skipSpace()
    if (s.startsWith('>>', this.pos)) { this.pos += 2; return new Opaque('binary', '<<>>') }
    for (;;) {
      this.skipSpace()
      const c = s.charCodeAt(this.pos)
      if (c === 34) this.strings()
      else if (isDigit(c) || c === 45) this.number()
      else this.fail(`bad binary segment ${this.show()}`)
      this.skipSpace()
      if (s[this.pos] === ':') { this.pos++; this.skipSpace(); this.number() }
      if (s[this.pos] === '/') {
        this.pos++
        while (this.pos < s.length && (isNameChar(s.charCodeAt(this.pos)) || s[this.pos] === '-')) this.pos++
      }
      this.skipSpace()
      if (s.startsWith('>>', this.pos)) { this.pos += 2; return new Opaque('binary', s.slice(start, this.pos)) }
      if (s[this.pos] !== ',') this.fail(this.pos >= s.length ? 'unexpected end of input inside a binary' : `expected "," or ">>" in a binary, found ${this.show()}`)
      this.pos++
    }
  }

  /** The opaque `#Fun<...>`, `#Ref<...>`, `#Port<...>`. */
  private opaque(): Term {
    const s = this.text
    const m = /^#(Fun|Ref|Port)<[^>\n]*>/.exec(s.slice(this.pos, this.pos + 200))
    if (!m) this.fail(`unexpected ${this.show()}`)
    this.pos += m[0].length
    return new Opaque(m[1].toLowerCase() as 'fun' | 'ref' | 'port', m[0])
  }
}
