// `sonde dashboard [--port N] [--host H] [--token-file F]`: the dashboard without an app — open
// profile files, list the sonde processes on this host and switch between them. The token comes
// from --token-file, SONDE_TOKEN_FILE, SONDE_TOKEN or --token; a non-loopback host without one
// gets a generated token, printed once in the URL.
import { UsageError } from '../usage-error'
import { parseFlags, usageError } from '../flags'
import { intArg, untilSignalOr } from '../args'
import { startDashboard, DashboardConfigError, MIN_TOKEN_LENGTH, urlToOpen } from '../../web/server'

export const summary = 'the dashboard without an app: profile explorer and the sonde processes on this host'

export const help = `usage: sonde dashboard [--port N] [--host H] [--token-file F] [--duration S]
  --port N        default 7777 (0 = any free port)
  --host H        default 127.0.0.1; any other host gets a token (generated and printed once
                  when none is given)
  --token-file F  every request needs Authorization: Bearer <the token in F> (also: the
                  SONDE_TOKEN_FILE or SONDE_TOKEN environment variables; --token T works too but
                  shows T to every local user in ps). At least ${MIN_TOKEN_LENGTH} characters. Open the
                  printed URL with #token=…: the page reads it from the fragment and sends the header
  --token T       the token itself (visible in ps: prefer --token-file)
  --duration S    stop after S seconds
  -h, --help      this help`

export const options = {
  port: { type: 'string' }, host: { type: 'string' }, token: { type: 'string' }, 'token-file': { type: 'string' },
  duration: { type: 'string' }, help: { type: 'boolean', short: 'h' },
} as const

export async function run(argv: string[]): Promise<number> {
  const v = parseFlags('dashboard', argv, options, false).values
  if (v.help) { process.stdout.write(help + '\n'); return 0 }
  const port = intArg('dashboard', v.port, 'port', 0, 65535)
  if (port !== undefined && !Number.isInteger(port)) throw usageError('dashboard', `--port must be an integer, got '${v.port}'`)
  const duration = intArg('dashboard', v.duration, 'duration', 0.1, 7 * 24 * 3600)
  let d
  try {
    const env = v['token-file'] !== undefined ? { ...process.env, SONDE_TOKEN_FILE: v['token-file'] } : process.env
    d = await startDashboard({ port, host: v.host, token: v.token, env, mode: 'standalone', title: 'sonde dashboard' })
  } catch (e) {
    const err = e as NodeJS.ErrnoException
    if (err instanceof DashboardConfigError) throw new UsageError(err.message)
    if (err.code === 'EADDRINUSE' || err.code === 'EADDRNOTAVAIL') throw new UsageError(`cannot listen on ${v.host ?? '127.0.0.1'}:${port ?? 7777}: ${err.code}`)
    throw err
  }
  process.stdout.write(`sonde dashboard: ${urlToOpen(d)} (pid ${process.pid})\n`)
  const why = await untilSignalOr(duration !== undefined ? duration * 1000 : undefined)
  await d.close()
  process.stdout.write(`sonde dashboard: stopped (${why})\n`)
  return 0
}
