// The contract of line-based importers (folded, bpftrace, perf script, callgrind), so the
// registry can stream a large file through them line by line: memory then grows with the
// call tree, never with the file. The same importer runs over an in-memory text.
import type { Profile } from '../model/profile'

export interface LineImporter {
  /**
   * One line, without its line terminator; `lineNo` is 1-based. Returns false when the input
   * turned out not to be this format (only ever before the first accepted record): the caller
   * stops feeding and `finish()` returns null. Throws ParseError for this format but malformed.
   */
  line(text: string, lineNo: number): boolean
  /** The built profile; null when nothing of this format was seen. */
  finish(): Profile | null
}

/** Runs a line importer over an in-memory text, splitting with indexOf (no regex, no array of lines). */
export function runLines(importer: LineImporter, text: string): Profile | null {
  let start = 0
  let lineNo = 0
  const n = text.length
  while (start < n) {
    let end = text.indexOf('\n', start)
    if (end < 0) end = n
    lineNo++
    const stop = end > start && text.charCodeAt(end - 1) === 13 ? end - 1 : end
    if (!importer.line(text.slice(start, stop), lineNo)) return null
    start = end + 1
  }
  return importer.finish()
}

/** The first non-blank lines of a head, trimmed at the end; for sniffers. */
export function firstLines(head: string, count: number): string[] {
  const out: string[] = []
  let start = 0
  while (out.length < count && start < head.length) {
    let end = head.indexOf('\n', start)
    if (end < 0) end = head.length
    const l = head.slice(start, end).trimEnd()
    if (l.trim() !== '') out.push(l)
    start = end + 1
  }
  return out
}
