// `sonde run --cpu-profile FILE [--counts]`, in the child (preloaded through NODE_OPTIONS):
// V8's sampling CPU profiler through the in-process inspector and, with --counts, V8
// precise coverage with call counts, both taken at exit (and on SIGINT/SIGTERM, re-raising
// the signal when the app has no handler of its own). The file is a normal .cpuprofile;
// with counts it starts with "sondeFormat":"cpuprofile+counts" and ends with
// "sondeCallCounts": [[url, functionName, line, column, count], …] (1-based line/column of
// the function start, the convention the cpuprofile importer gives frames), which
// viz/importers/cpuprofile-counts.ts turns into exact CNT next to sampled ACC/OWN.
import * as fs from 'node:fs'
import * as inspector from 'node:inspector'
import { isMainThread } from 'node:worker_threads'
import { fileURLToPath } from 'node:url'
import { debuglog } from 'node:util'
import { setting } from '../runtime/config'
import { addSignalFlush } from './signal-flush'

const debug = debuglog('sonde')

interface CoverageFunction { functionName: string; ranges: { startOffset: number; endOffset: number; count: number }[] }
interface ScriptCoverage { url: string; functions: CoverageFunction[] }

function lineStarts(text: string): number[] {
  const starts = [0]
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1)
  return starts
}

/** [url, name, line, column, count] of every function called at least once, in file: scripts. */
export function callCounts(result: ScriptCoverage[]): [string, string, number, number, number][] {
  const out: [string, string, number, number, number][] = []
  for (const script of result) {
    if (!script.url.startsWith('file:')) continue
    let starts: number[]
    try { starts = lineStarts(fs.readFileSync(fileURLToPath(script.url), 'utf8')) } catch { continue }
    for (const f of script.functions) {
      const r = f.ranges[0]
      if (!r || r.count === 0) continue
      let lo = 0, hi = starts.length - 1
      while (lo < hi) { const mid = (lo + hi + 1) >> 1; if (starts[mid] <= r.startOffset) lo = mid; else hi = mid - 1 }
      out.push([script.url, f.functionName || '(anonymous)', lo + 1, r.startOffset - starts[lo] + 1, r.count])
    }
  }
  return out
}

function start(file: string, counts: boolean): void {
  const s = new inspector.Session()
  s.connect()
  s.post('Profiler.enable')
  if (counts) s.post('Profiler.startPreciseCoverage', { callCount: true, detailed: true })
  s.post('Profiler.start')
  let done = false
  const finish = (): void => {
    if (done) return
    done = true
    try {
      // The in-thread session answers synchronously, so this works inside 'exit'.
      let profile: object | undefined
      let coverage: ScriptCoverage[] | undefined
      s.post('Profiler.stop', (err, r) => { if (!err) profile = r.profile })
      if (counts) s.post('Profiler.takePreciseCoverage', (err, r) => { if (!err) coverage = r.result as ScriptCoverage[] })
      if (!profile) return
      const body = counts ? { sondeFormat: 'cpuprofile+counts', ...profile, sondeCallCounts: callCounts(coverage ?? []) } : profile
      fs.writeFileSync(file, JSON.stringify(body))
    } catch (e) { debug('cpu profile: %s', (e as Error).message) }
  }
  process.on('exit', finish)
  addSignalFlush(finish)
}

const file = setting('SONDE_CPU_PROFILE')
if (file && isMainThread) {
  // Injected by `sonde run` for this process only: child processes of the app must not
  // profile into the same file.
  const counts = setting('SONDE_CPU_COUNTS')
  delete process.env.SONDE_CPU_PROFILE
  delete process.env.SONDE_CPU_COUNTS
  try { start(file, counts) } catch (e) { debug('cpu profile not started: %s', (e as Error).message) }
}
