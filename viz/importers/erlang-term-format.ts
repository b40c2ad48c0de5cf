// The Erlang terms the reader (erlang-term.ts) returns, and printing them back in Erlang
// syntax for names and process information (`io:format("~p")` style, without line breaks).
//   {analysis_options,[{callers,true}]}
//   #{a => [1,2|x]}

export class Atom {
  constructor(readonly name: string) {}
}
export class Tuple {
  /** `line`: where the opening brace is, for errors found after reading. */
  constructor(readonly items: Term[], readonly line = 0) {}
}
/** Terms kept as their printed text: pids, funs, refs, ports, binaries. */
export class Opaque {
  constructor(readonly kind: 'pid' | 'fun' | 'ref' | 'port' | 'binary', readonly text: string) {}
}
export class ErlMap {
  constructor(readonly entries: [Term, Term][]) {}
}
export type Term = number | string | Atom | Tuple | Term[] | Opaque | ErlMap

const RESERVED = new Set(['after', 'and', 'andalso', 'band', 'begin', 'bnot', 'bor', 'bsl', 'bsr', 'bxor', 'case',
  'catch', 'cond', 'div', 'else', 'end', 'fun', 'if', 'let', 'maybe', 'not', 'of', 'or', 'orelse', 'receive', 'rem',
  'try', 'when', 'xor'])

/** An atom as Erlang prints it: bare when it can be, else quoted with escapes. */
export function formatAtom(name: string): string {
  if (/^[a-z][A-Za-z0-9_@]*$/.test(name) && !RESERVED.has(name)) return name
  return `'${name.replace(/[\\']/g, (c) => '\\' + c).replace(/\n/g, '\\n').replace(/\t/g, '\\t')}'`
}

/** Literal text between the terms that formatTerm prints, and a map entry still to print. */
class Piece { constructor(readonly text: string) {} }
class Entry { constructor(readonly k: Term, readonly v: Term) {} }

/** A term printed back in Erlang syntax (for names and process information). Iterative: the
 * reader accepts any nesting depth, so printing must too. */
export function formatTerm(root: Term): string {
  const out: string[] = []
  const todo: (Term | Piece | Entry)[] = [root]
  const seq = (open: string, items: readonly (Term | Entry)[], close: string) => {
    out.push(open)
    todo.push(new Piece(close))
    for (let i = items.length - 1; i >= 0; i--) { todo.push(items[i]); if (i) todo.push(new Piece(',')) }
  }
  while (todo.length) {
    const t = todo.pop()!
    if (t instanceof Piece) out.push(t.text)
    else if (t instanceof Entry) todo.push(t.v, new Piece(' => '), t.k)
    else if (typeof t === 'number') out.push(String(t))
    else if (typeof t === 'string') out.push(JSON.stringify(t))
    else if (t instanceof Atom) out.push(formatAtom(t.name))
    else if (t instanceof Tuple) seq('{', t.items, '}')
    else if (Array.isArray(t)) seq('[', t, ']')
    else if (t instanceof ErlMap) seq('#{', t.entries.map(([k, v]) => new Entry(k, v)), '}')
    else out.push(t.text)
  }
  return out.join('')
}

