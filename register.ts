// `node -r sonde/register app.js` / `node --import sonde/register app.js`:
// installs the runtime hooks that fire probes and feed collectors, in the main thread and in
// every worker (workers inherit execArgv, so the preload runs there too). Idempotent per
// thread: loaded twice (e.g. -r and --import, or two copies of sonde) it installs once.
// Never throws into the host: a failure is logged with NODE_DEBUG=sonde and the app runs on.
import { debuglog } from 'node:util'
import { disabledProbeSet, installRuntimeHooks, type RuntimeProbeSet } from './probes/hooks/install-hooks'
import { startCollectorsFromEnv } from './collectors/env-start'

const debug = debuglog('sonde')
const INSTALLED = Symbol.for('sonde.register.installed')

interface Installed { uninstall: () => void }

function probeSet(): RuntimeProbeSet {
  return disabledProbeSet()
}

function register(): void {
  const g = globalThis as unknown as Record<symbol, Installed | undefined>
  if (g[INSTALLED]) return
  const uninstall = installRuntimeHooks(probeSet())
  g[INSTALLED] = { uninstall }
  startCollectorsFromEnv({ ...process.env, SONDE_DASHBOARD: undefined }) // SONDE_COLLECT; warns instead of throwing
  // SONDE_DASHBOARD=PORT: the full dashboard (web/), which serves /api/snapshot and /metrics too
  try { (require('./web/server/env-dashboard') as typeof import('./web/server/env-dashboard')).startDashboardFromEnv() } catch (err) { debug('dashboard not started: %s', (err as Error)?.message ?? err) }
}

try { register() } catch (err) { debug('register failed: %s', (err as Error)?.stack ?? err) }

// SONDE_TRACE=PATTERN / SONDE_TRACE_OUT=FILE: the function tracer (probes/tracer), in every thread.
try { (require('./probes/tracer/install') as typeof import('./probes/tracer/install')).installFunctionTracerFromEnv() } catch (err) { debug('function tracer not installed: %s', (err as Error)?.message ?? err) }
