// startDashboard(): the dashboard server, in-process (mode 'app': this process's collectors,
// live stream, CPU recording) or standalone (profiles and the other sonde processes on the host).
// Strict at set-up (DashboardConfigError: non-loopback host without a token, bad port); after
// listen nothing here throws into the host.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { createDashboardApp } from './app'
import { checkListenOptions, DashboardConfigError, type ListenOptions } from './listen-safety'
import { createStreamHub, type StreamHubOptions } from './stream-hub'
import { startLiveFeed } from './live-feed'
import { createProfileStore } from './profile-store'
import { registerProcess } from './process-registry'
import { markInternalServer } from '../../probes/hooks/http-hook'
import { createBpftracePanel } from './bpftrace-panel'

export { DashboardConfigError, isLoopbackHost } from './listen-safety'
export { listProcesses, runtimeDir } from './process-registry'

export interface DashboardOptions extends ListenOptions, StreamHubOptions {
  mode?: 'app' | 'standalone'
  title?: string
  /** Live tick period (default 1000 ms). */
  streamIntervalMs?: number
  /** Write <runtime dir>/<pid>.json so standalone dashboards list this process (default: mode 'app'). */
  register?: boolean
  /** Do not keep the process alive for the dashboard (in-process use). */
  unref?: boolean
}

export interface Dashboard { url: string; port: number; host: string; server: http.Server; close(): Promise<void> }

export async function startDashboard(opts: DashboardOptions = {}): Promise<Dashboard> {
  const { port, host, token } = checkListenOptions(opts)
  const streamIntervalMs = opts.streamIntervalMs ?? 1000
  if (!(streamIntervalMs >= 20 && streamIntervalMs <= 60_000)) throw new DashboardConfigError(`streamIntervalMs must be 20..60000, got ${streamIntervalMs}`)
  const mode = opts.mode ?? 'app'
  const hub = createStreamHub(opts)
  const store = createProfileStore()
  const bpftrace = createBpftracePanel((s) => hub.broadcast('bpftrace', JSON.stringify(s)), mode === 'app' ? process.pid : undefined)
  const app = createDashboardApp({ hub, store, token, mode, title: opts.title ?? process.argv.slice(1).join(' ').slice(0, 200), streamIntervalMs, bpftrace, listenHost: host })
  const server = http.createServer(app)
  markInternalServer(server)
  server.keepAliveTimeout = 5000
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(port, host, () => { server.off('error', reject); resolve() })
  })
  if (opts.unref) server.unref()
  const stopFeed = startLiveFeed(hub, streamIntervalMs)
  const bound = (server.address() as AddressInfo).port
  const unregister = (opts.register ?? mode === 'app') ? registerProcess({ port: bound, host, token, title: opts.title }) : () => {}
  const shownHost = host.includes(':') ? `[${host}]` : host
  return {
    url: `http://${shownHost}:${bound}/`, port: bound, host, server,
    close: () => new Promise<void>((resolve) => {
      stopFeed(); unregister(); bpftrace.close(); hub.close()
      server.close(() => resolve())
      server.closeAllConnections()
    }),
  }
}
