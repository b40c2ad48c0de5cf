// Where the dashboard may listen, decided once before it binds: loopback by default (a
// non-loopback host always gets a token: dashboard-token.ts). Throws DashboardConfigError (one
// line); the CLI turns it into exit 2.
import net from 'node:net'

export class DashboardConfigError extends Error {
  constructor(message: string) { super(message); this.name = 'DashboardConfigError' }
}

export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost') return true
  if (net.isIPv4(host)) return host.startsWith('127.')
  if (net.isIPv6(host)) return host === '::1' || host === '0:0:0:0:0:0:0:1'
  return false
}

export interface ListenOptions { port?: number; host?: string }

export function checkListenOptions(o: ListenOptions): { port: number; host: string } {
  const port = o.port ?? 7777
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new DashboardConfigError(`--port must be an integer 0..65535, got ${o.port}`)
  const host = o.host ?? '127.0.0.1'
  if (host.trim() === '') throw new DashboardConfigError('--host must not be empty')
  return { port, host }
}
