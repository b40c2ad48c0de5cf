// Safe DOT text. Every id and attribute value is written as a double-quoted string, so DOT
// keywords (node, edge, graph, digraph, subgraph, strict) and punctuation are inert;
// inside, backslash and quote are escaped and control characters (newlines) become
// spaces or explicit \n breaks. Ids longer than 64 characters are shortened with a hash of
// the whole key, so they stay unique and Graphviz never sees megabyte ids.
import { createHash } from 'node:crypto'

const MAX_ID = 64
// eslint-disable-next-line no-control-regex -- control characters are what it replaces
const CONTROL = /[\u0000-\u001f\u007f]/g

/** A DOT double-quoted string with exactly `s` as its value (no escString meaning). */
export function quote(s: string): string {
  return '"' + s.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(CONTROL, ' ') + '"'
}

/** Label text: like quote(), but `lines` are joined with Graphviz's centred line break. */
export function quoteLines(lines: string[]): string {
  return '"' + lines.map((l) => l.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(CONTROL, ' ')).join('\\n') + '"'
}

/** The node id for a function: its name when short, else a prefix and a hash of its key. */
export function nodeId(name: string, key: string, taken: Set<string>): string {
  // an empty name ("a;;b" in folded input) still needs a non-empty id: Graphviz-WASM traps on ""
  let id = name.length > MAX_ID ? `${name.slice(0, 40)}…#${createHash('sha1').update(key).digest('hex').slice(0, 12)}` : name.trim() === '' ? `(empty name)#${name.length}` : name
  if (taken.has(id)) id = `${id.slice(0, 40)}#${createHash('sha1').update(key).digest('hex').slice(0, 12)}`
  for (let n = 2; taken.has(id); n++) id = `${id}~${n}`
  taken.add(id)
  return id
}

/** An attribute value already quoted (by quoteLines). */
export class Quoted {
  constructor(readonly text: string) {}
}

/** `[a="1", b="2"]` with attribute names sorted, for byte-stable output. */
export function attrList(attrs: Record<string, string | number | Quoted | undefined>): string {
  const keys = Object.keys(attrs).filter((k) => attrs[k] !== undefined).sort()
  return '[' + keys.map((k) => { const v = attrs[k]; return `${k}=${v instanceof Quoted ? v.text : quote(String(v))}` }).join(', ') + ']'
}

/** Shortens a long display name, keeping its start and end. */
export function ellipsize(s: string, max: number): string {
  return s.length <= max ? s : s.slice(0, Math.ceil(max / 2) - 1) + '…' + s.slice(s.length - Math.floor(max / 2))
}

/** Wraps a name at punctuation boundaries into lines of about `width` characters. */
export function wrapName(s: string, width: number, maxLines: number): string[] {
  const lines: string[] = []
  let rest = s
  while (rest.length > width && lines.length < maxLines - 1) {
    let cut = -1
    for (const ch of ['/', '.', ' ', ':', '(', '<', ',']) cut = Math.max(cut, rest.lastIndexOf(ch, width))
    if (cut < width / 3) cut = width
    lines.push(rest.slice(0, cut))
    rest = rest.slice(cut)
  }
  lines.push(ellipsize(rest, width + 8))
  return lines
}
