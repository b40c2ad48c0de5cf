// What the function tracer's pattern met in this process: the app's modules that loaded and how
// many the pattern selected. `sonde run` asks for it (SONDE_TRACE_REPORT=FILE, main thread
// only) to say so when a pattern matched nothing, instead of leaving an empty trace unexplained.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { isSonde, type ModuleFilter } from './module-pattern'

export interface MatchReport {
  pattern: string
  cwd: string
  /** The app's modules seen (not node_modules, not sonde's own), first MAX_LISTED. */
  loaded: string[]
  loadedCount: number
  matched: number
}

export const REPORT_ENV = 'SONDE_TRACE_REPORT' as const
const MAX_LISTED = 50

/** Wraps `filter` to count what it is asked; `write` stores the report as JSON (never throws). */
export function recordMatches(filter: ModuleFilter, pattern: string, file: string): { filter: ModuleFilter; write(): void } {
  const report: MatchReport = { pattern, cwd: process.cwd(), loaded: [], loadedCount: 0, matched: 0 }
  const seen = new Set<string>()
  const recording: ModuleFilter = (f) => {
    const ok = filter(f)
    if (!seen.has(f) && path.isAbsolute(f) && !isSonde(f) && (ok || !f.includes(`${path.sep}node_modules${path.sep}`))) {
      seen.add(f)
      report.loadedCount++
      if (report.loaded.length < MAX_LISTED) report.loaded.push(f)
      if (ok) report.matched++
    }
    return ok
  }
  return { filter: recording, write: () => { try { fs.writeFileSync(file, JSON.stringify(report)) } catch { /* sonde run then says nothing */ } } }
}

export function readMatchReport(file: string): MatchReport | null {
  try { return JSON.parse(fs.readFileSync(file, 'utf8')) as MatchReport } catch { return null }
}
