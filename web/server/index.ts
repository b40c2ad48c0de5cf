// startDashboard(): the dashboard server, in-process (mode 'app': this process's collectors,
// live stream, CPU recording) or standalone (profiles and the other sonde processes on the host).
// Strict at set-up (DashboardConfigError: bad port, bad token); after listen nothing here
// throws into the host. The token comes from dashboard-token.ts; a generated one is returned in
// `token` with `tokenSource: 'generated'` for the caller to print once.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { createDashboardApp } from './app'
import { checkListenOptions, DashboardConfigError, isLoopbackHost, type ListenOptions } from './listen-safety'
import { chooseToken, type TokenSource } from './dashboard-token'
import { createStreamHub, type StreamHubOptions } from './stream-hub'
import { startLiveFeed } from './live-feed'
import { createProfileJobs, type ProfileJobLimits } from './profile-jobs'
import { registerProcess } from './process-registry'
import { markInternalServer } from '../../runtime/hooks/http-hook'
import { createBpftracePanel } from './bpftrace-panel'

export { DashboardConfigError, isLoopbackHost } from './listen-safety'
export { listProcesses, runtimeDir } from './process-registry'
export { MIN_TOKEN_LENGTH, urlToOpen } from './dashboard-token'

export interface DashboardOptions extends ListenOptions, StreamHubOptions, ProfileJobLimits {
  /** Bearer token; else SONDE_TOKEN_FILE / SONDE_TOKEN from `env`, else generated when required. */
  token?: string
  /** Where SONDE_TOKEN_FILE and SONDE_TOKEN are read (default process.env). */
  env?: NodeJS.ProcessEnv
  /** Largest profile upload in bytes (default 32 MiB). */
  maxUploadBytes?: number
  mode?: 'app' | 'standalone'
  title?: string
  /** Live tick period (default 1000 ms). */
  streamIntervalMs?: number
  /** Write <runtime dir>/<pid>.json so standalone dashboards list this process (default: mode 'app'). */
  register?: boolean
  /** Do not keep the process alive for the dashboard (in-process use). */
  unref?: boolean
}

export interface Dashboard {
  url: string; port: number; host: string; server: http.Server
  /** The bearer token in force (undefined: open, loopback only) and where it came from. */
  token?: string; tokenSource: TokenSource
  close(): Promise<void>
}

export async function startDashboard(opts: DashboardOptions = {}): Promise<Dashboard> {
  const { port, host } = checkListenOptions(opts)
  const streamIntervalMs = opts.streamIntervalMs ?? 1000
  if (!(streamIntervalMs >= 20 && streamIntervalMs <= 60_000)) throw new DashboardConfigError(`streamIntervalMs must be 20..60000, got ${streamIntervalMs}`)
  const mode = opts.mode ?? 'app'
  const hub = createStreamHub(opts)
  const bpftrace = createBpftracePanel((s) => hub.broadcast('bpftrace', JSON.stringify(s)), mode === 'app' ? process.pid : undefined)
  let choice
  // A dashboard that can start bpftrace (as this user, root) is never left open to every local user.
  try { choice = chooseToken(opts.token, opts.env ?? process.env, !isLoopbackHost(host) || bpftrace.info().available) } catch (e) { hub.close(); throw e }
  const { token, source: tokenSource } = choice
  const jobs = createProfileJobs(opts)
  // The command line may carry secrets: served only behind a token.
  const title = opts.title ?? (token !== undefined ? process.argv.slice(1).join(' ').slice(0, 200) : 'node')
  const feed = startLiveFeed(hub, streamIntervalMs)
  const app = createDashboardApp({ hub, jobs, maxUploadBytes: opts.maxUploadBytes, token, mode, title, streamIntervalMs, bpftrace, listenHost: host, backfill: feed.backfill })
  const server = http.createServer(app)
  markInternalServer(server)
  server.keepAliveTimeout = 5000
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(port, host, () => { server.off('error', reject); resolve() })
    })
  } catch (err) { feed.stop(); hub.close(); jobs.close(); throw err }
  if (opts.unref) server.unref()
  const bound = (server.address() as AddressInfo).port
  const unregister = (opts.register ?? mode === 'app') ? registerProcess({ port: bound, host, token, title: opts.title }) : () => {}
  const shownHost = host.includes(':') ? `[${host}]` : host
  return {
    url: `http://${shownHost}:${bound}/`, port: bound, host, server, token, tokenSource,
    close: () => new Promise<void>((resolve) => {
      feed.stop(); unregister(); bpftrace.close(); hub.close(); jobs.close()
      server.close(() => resolve())
      server.closeAllConnections()
    }),
  }
}
