// Records a CPU profile of this process for N seconds with an in-process node:inspector
// Session (Profiler.start/stop): no debugger port is opened. One recording at a time.
// V8 reports positions in the code it ran; for a module compiled on load (tsx, ts-node, a
// bundle with its map) the source map Node holds for it (module.findSourceMap, present when
// source maps are on, as tsx turns them on) moves each function back to its own line and column.
import { Session } from 'node:inspector'
import { findSourceMap } from 'node:module'

interface CallFrame { url: string; lineNumber: number; columnNumber: number }

/** Rewrites every call frame of a Profiler.stop profile to its original position, where Node has a map. */
export function mapToSources(profile: { nodes?: { callFrame: CallFrame }[] }): void {
  const maps = new Map<string, ReturnType<typeof findSourceMap> | undefined>()
  for (const n of profile.nodes ?? []) {
    const cf = n.callFrame
    if (!cf.url || cf.lineNumber < 0) continue
    let map = maps.get(cf.url)
    if (!maps.has(cf.url)) {
      try { map = findSourceMap(cf.url) } catch { map = undefined }
      maps.set(cf.url, map)
    }
    if (!map) continue
    const e = map.findEntry(cf.lineNumber, Math.max(0, cf.columnNumber)) as { originalLine?: number; originalColumn?: number }
    if (typeof e.originalLine !== 'number') continue
    cf.lineNumber = e.originalLine
    cf.columnNumber = e.originalColumn ?? cf.columnNumber
  }
}

let busy = false

function post<T>(s: Session, method: string, params?: object): Promise<T> {
  return new Promise((resolve, reject) => {
    s.post(method, params ?? {}, (err, res) => (err ? reject(err) : resolve(res as T)))
  })
}

export class RecordBusyError extends Error {}

/** The .cpuprofile JSON text of `seconds` of this process (sampling every intervalUs). */
export async function recordCpuProfile(seconds: number, intervalUs = 500): Promise<string> {
  if (busy) throw new RecordBusyError('a recording is already running')
  busy = true
  const s = new Session()
  try {
    s.connect()
    await post(s, 'Profiler.enable')
    await post(s, 'Profiler.setSamplingInterval', { interval: intervalUs })
    await post(s, 'Profiler.start')
    await new Promise((r) => setTimeout(r, seconds * 1000))
    const { profile } = await post<{ profile: { nodes?: { callFrame: CallFrame }[] } }>(s, 'Profiler.stop')
    mapToSources(profile)
    await post(s, 'Profiler.disable')
    return JSON.stringify(profile)
  } finally {
    try { s.disconnect() } catch { /* already closed */ }
    busy = false
  }
}
