// What `sonde/register` calls: start this thread's collectors from SONDE_COLLECT and, in the
// main thread with SONDE_DASHBOARD=PORT, serve /api/snapshot and /metrics on 127.0.0.1:PORT
// (the dashboard, when it lands, mounts the same handlers). A bad SONDE_COLLECT or PORT is
// reported as one process warning naming the option (code SONDE_CONFIG) and the collectors
// stay off: a preload must not take the app down. Never throws.
import { isMainThread } from 'node:worker_threads'
import { debuglog } from 'node:util'
import { startCollectors, collectors } from './index'

const debug = debuglog('sonde')

export function startCollectorsFromEnv(env: NodeJS.ProcessEnv = process.env): void {
  try {
    startCollectors(env.SONDE_COLLECT)
  } catch (err) {
    warn((err as Error)?.message ?? String(err))
    return
  }
  const port = env.SONDE_DASHBOARD
  if (!isMainThread || port === undefined || port === '') return
  if (!/^\d+$/.test(port) || Number(port) > 65535) { warn(`sonde: SONDE_DASHBOARD must be a port number 0..65535, got ${JSON.stringify(port)}`); return }
  collectors.serve(Number(port)).then(
    (server) => debug('collectors served on http://127.0.0.1:%d', (server.address() as { port: number }).port),
    (err) => warn(`sonde: SONDE_DASHBOARD=${port}: cannot listen: ${(err as Error)?.message ?? err}`),
  )
}

function warn(message: string): void {
  try { process.emitWarning(message, { code: 'SONDE_CONFIG' }) } catch { /* a throwing warning listener must not reach the host */ }
}
