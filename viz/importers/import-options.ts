// Options every importer may take, from `sonde callgraph` / the library's ImportOptions.
export interface ImporterOptions {
  /** Keep the line (sampled line, call site: file:line, or a native frame's +offset) in each
   * frame's identity: one node per line (`--lines`). Default: a frame is a function (name +
   * module or file); lines and offsets are dropped. */
  lines?: boolean
  /** The format was named (`-f`): input that does not fit is an error with its line, not a
   * "not this format" for the next candidate. */
  strict?: boolean
}

/** '+0x1a' / '+26' at the end of a symbol (an offset in the function, not its identity). */
export function offsetAt(sym: string): number {
  const plus = sym.lastIndexOf('+')
  if (plus <= 0) return -1
  let i = plus + 1
  const hex = sym.charCodeAt(i) === 48 && sym.charCodeAt(i + 1) === 120
  if (hex) i += 2
  if (i >= sym.length) return -1
  for (; i < sym.length; i++) {
    const c = sym.charCodeAt(i)
    const ok = (c >= 48 && c <= 57) || (hex && ((c >= 97 && c <= 102) || (c >= 65 && c <= 70)))
    if (!ok) return -1
  }
  return plus
}

/** Function name without its offset: 'fib+151' → 'fib', 'x+0x2b' → 'x'. */
export function stripOffset(frame: string): string {
  const at = offsetAt(frame)
  return at < 0 ? frame : frame.slice(0, at)
}
