// Records a CPU profile of this process for N seconds with an in-process node:inspector
// Session (Profiler.start/stop): no debugger port is opened. One recording at a time.
import { Session } from 'node:inspector'

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
    const { profile } = await post<{ profile: object }>(s, 'Profiler.stop')
    await post(s, 'Profiler.disable')
    return JSON.stringify(profile)
  } finally {
    try { s.disconnect() } catch { /* already closed */ }
    busy = false
  }
}
