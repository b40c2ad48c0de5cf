// Importer for `sonde run --cpu-profile FILE --counts`: a V8 .cpuprofile (sampled ACC/OWN,
// read by the cpuprofile importer) plus V8 precise-coverage call counts written by
// tracer/cpu-profile-child.ts, which become the thread's exact per-function CNT
// (ProfileThread.functionCalls). Coverage names a function by its start offset, the
// profile by the position V8 reports for it (the parameter list): both are matched on
// url, name and line, then the nearest start column at or before the profile's. Functions
// the sampler never caught get frames of their own (zero time, exact CNT).
//   {"sondeFormat":"cpuprofile+counts","nodes":[…],"startTime":…,"samples":[…],
//    "timeDeltas":[…],"sondeCallCounts":[["file:///app.js","fib",4,1,21891],…]}
import { ParseError, type Profile } from '../model/profile'
import { importFromCpuprofile } from './cpuprofile'
import { inRange } from './weight-check'

type Count = [string, string, number, number, number]

export function isCpuprofileCounts(head: string): boolean {
  return /^\s*\{\s*"sondeFormat"\s*:\s*"cpuprofile\+counts"/.test(head)
}

function validCount(c: unknown): c is Count {
  return Array.isArray(c) && c.length === 5 && typeof c[0] === 'string' && typeof c[1] === 'string' &&
    Number.isInteger(c[2]) && Number.isInteger(c[3]) && Number.isInteger(c[4]) && inRange(c[4])
}

export function importFromCpuprofileCounts(text: string, name: string): Profile | null {
  if (!isCpuprofileCounts(text.slice(0, 256))) return null
  const profile = importFromCpuprofile(text, name)
  if (!profile) throw new ParseError(name, 1, 'cpuprofile+counts without a valid V8 CPU profile')
  let counts: unknown
  try { counts = (JSON.parse(text) as { sondeCallCounts?: unknown }).sondeCallCounts } catch { counts = undefined }
  if (!Array.isArray(counts)) throw new ParseError(name, undefined, 'sondeCallCounts missing or not an array')
  const byKey = new Map<string, Count[]>()
  counts.forEach((c, i) => {
    if (!validCount(c)) throw new ParseError(name, undefined, `sondeCallCounts[${i}] is not [url, name, line, column, count]`)
    const k = `${c[0]}\u0000${c[1]}\u0000${c[2]}`
    const list = byKey.get(k)
    if (list) list.push(c); else byKey.set(k, [c])
  })
  const calls = new Map<number, number>()
  const used = new Set<Count>()
  for (const f of [...profile.frames.frames]) {
    if (f.line === undefined || !f.file) continue
    const url = f.file.startsWith('/') ? `file://${f.file}` : f.file
    const list = byKey.get(`${url}\u0000${f.name}\u0000${f.line}`)
    if (!list) continue
    const col = f.column ?? Infinity
    let best: Count | undefined
    for (const c of list) if (c[3] <= col && (!best || c[3] > best[3])) best = c
    best ??= list[0]
    used.add(best)
    calls.set(f.id, best[4])
  }
  // A function the sampler never caught still ran exactly this often: it gets a frame of its
  // own (no time, exact CNT), so the call graph shows it as CNT with zero ACC/OWN.
  for (const list of byKey.values()) {
    for (const c of list) {
      if (used.has(c)) continue
      const id = profile.frames.intern({ name: c[1], file: c[0], module: c[0].replace(/^.*[/\\]/, ''), line: c[2], column: c[3], kind: 'js' })
      calls.set(id, (calls.get(id) ?? 0) + c[4])
    }
  }
  for (const t of profile.threads) if (t.tree) t.functionCalls = calls
  profile.format = 'cpuprofile+counts'
  profile.meta.callCounts = 'V8 precise coverage (exact per function)'
  return profile
}
