// Reading a profile for the commands that take one (callgraph, flame): the file in any format
// sonde reads, a progress bar on a terminal, and the library's option errors turned into usage
// errors.
import fs from 'node:fs'
import path from 'node:path'
import { UsageError } from './usage-error'
import { importProfileFile } from '../viz/importers'
import { remapProfile } from '../viz/source-maps/remap-profile'
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

/** The library's option names (viz RenderOptions) → the flags that set them, for its errors. */
export const FLAG_OF: Readonly<Record<string, string>> = {
  nodeThres: '--node-thres', edgeThres: '--edge-thres', budget: '--budget', edgeBudget: '--edge-budget',
  depth: '--depth', focus: '--focus', root: '--root', leaf: '--leaf', metric: '--metric',
  thread: '--process', diff: '--diff', diffThread: '--diff-process', systemDot: '--system-dot',
}

/**
 * The library's option errors become usage errors naming our flags (exit 2, one line); everything else is
 * returned as it is, so an internal failure — V8's own RangeError included — exits 1
 * (cli/main.ts: one line, the stack only with SONDE_DEBUG).
 */
export function asCliError(e: unknown): unknown {
  return e instanceof OptionError ? new UsageError(e.renamed(FLAG_OF)) : e
}

export interface LoadOptions {
  /** time | samples | bytes | calls: the sample type to read from pprof input. */
  metric?: string
  /** Directories searched first for source maps; false: no source mapping. */
  sourceMaps?: string[] | false
  /** One node per line or call site instead of per function. */
  lines?: boolean
}

/** The command options every profile-reading command takes for source maps. */
export const sourceMapOptions = { 'source-maps': { type: 'string', multiple: true }, 'no-source-maps': { type: 'boolean' } } as const

/** --source-maps DIR (repeatable) and --no-source-maps as LoadOptions.sourceMaps. */
export function sourceMapsFrom(v: { 'source-maps'?: string[]; 'no-source-maps'?: boolean }): string[] | false {
  if (v['no-source-maps']) {
    if (v['source-maps']?.length) throw new UsageError('--source-maps and --no-source-maps exclude each other')
    return false
  }
  const dirs = v['source-maps'] ?? []
  for (const d of dirs) if (!fs.statSync(d, { throwIfNoEntry: false })?.isDirectory()) throw new UsageError(`--source-maps: ${d} is not a directory`)
  return dirs
}

/** The profile (any format sonde reads), V8 profiles mapped through their source maps
 * unless `sourceMaps` is false. */
export async function load(input: string, format: string | undefined, o: LoadOptions = {}): Promise<Profile> {
  const profile = await importProfileFile(input, { format, metric: o.metric, lines: o.lines, onProgress: progressBar('reading') })
  if (o.sourceMaps === false) return profile
  return remapProfile(profile, { dirs: o.sourceMaps, profileDir: input === '-' ? process.cwd() : path.dirname(path.resolve(input)) })
}
