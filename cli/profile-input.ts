// Reading a profile for the commands that take one (callgraph, flame): the file in any format
// sonde reads, a progress bar on a terminal, and the library's option errors turned into usage
// errors.
import { UsageError } from './usage-error'
import { importProfileFile } from '../viz/importers'
import { OptionError, type Profile } from '../viz/model/profile'

/** A one-line progress bar on stderr, only when stderr is a terminal. */
export function progressBar(label: string): ((done: number, total: number) => void) | undefined {
  if (!process.stderr.isTTY) return undefined
  let last = -1
  return (done, total) => {
    if (!(total > 0)) return
    const pct = Math.min(100, Math.floor((100 * done) / total))
    if (pct === last) return
    last = pct
    const w = 30, fill = Math.round((w * pct) / 100)
    process.stderr.write(`\r${label} [${'#'.repeat(fill)}${' '.repeat(w - fill)}] ${pct}%${pct === 100 ? '\r\x1b[K' : ''}`)
  }
}

/**
 * The library's option errors become usage errors (exit 2, one line); everything else is
 * returned as it is, so an internal failure — V8's own RangeError included — exits 1
 * (cli/main.ts: one line, the stack only with SONDE_DEBUG).
 */
export function asCliError(e: unknown): unknown {
  return e instanceof OptionError ? new UsageError(e.message) : e
}

export async function load(input: string, format: string | undefined, lines?: boolean): Promise<Profile> {
  return importProfileFile(input, { format, lines, onProgress: progressBar('reading') })
}
