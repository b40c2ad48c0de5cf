// SONDE_DASHBOARD=PORT (main thread of an app run with -r sonde/register): the full dashboard
// served from inside the process — the same /api/snapshot and /metrics the collectors expose,
// plus the live stream, the page and CPU recording. Optional SONDE_DASHBOARD_HOST; the token from
// SONDE_DASHBOARD_TOKEN, SONDE_TOKEN_FILE or SONDE_TOKEN, else generated when required (a
// non-loopback host, or bpftrace can be started). Once listening it writes one line to stderr:
// the URL with the real port (SONDE_DASHBOARD=0 picks one) and a generated token in its
// fragment (also in this process's registry entry, readable by this user only). The server is
// unref'd so it never keeps the app alive. A bad setting is one process warning (code
// SONDE_CONFIG, runtime/config.ts); never throws.
import { isMainThread } from 'node:worker_threads'
import type * as Server from './index'
import { urlToOpen } from './dashboard-token'
import { setting } from '../../runtime/config'

function warn(message: string): void {
  try { process.emitWarning(message, { code: 'SONDE_CONFIG' }) } catch { /* a throwing listener must not reach the host */ }
}

export function startDashboardFromEnv(env: NodeJS.ProcessEnv = process.env): void {
  if (!isMainThread) return
  const port = setting('SONDE_DASHBOARD', env)
  if (port === undefined) return
  let started
  try {
    // Loaded only when asked for: plain `-r sonde/register` never pays for express and viz.
    const { startDashboard } = require('./index') as typeof Server
    started = startDashboard({ port, host: setting('SONDE_DASHBOARD_HOST', env), token: setting('SONDE_DASHBOARD_TOKEN', env), mode: 'app', unref: true })
  } catch (err) { warn(`sonde: SONDE_DASHBOARD: ${(err as Error)?.message ?? err}`); return }
  started.then(
    (d) => {
      // One line, always: with SONDE_DASHBOARD=0 the port is only known here. A generated token
      // is in the URL's fragment; a given one is shown as <your token>.
      try { process.stderr.write(`sonde: dashboard on ${urlToOpen(d)} (pid ${process.pid})\n`) } catch { /* stderr closed */ }
    },
    (err) => warn(`sonde: SONDE_DASHBOARD=${port}: ${(err as Error)?.message ?? err}`),
  )
}
