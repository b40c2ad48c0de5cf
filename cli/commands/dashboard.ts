// `sonde dashboard [--port N] [--host H] [--token T]`: the dashboard without an app — open
// profile files, list the sonde processes on this host and switch between them. A non-loopback
// host without a token is refused (exit 2).
import { parseArgs } from 'node:util'
import { UsageError } from '../usage-error'
import { intArg, untilSignalOr } from './demo'
import { startDashboard, DashboardConfigError } from '../../web/server'

export const summary = 'the dashboard without an app: profile explorer and the sonde processes on this host'

const HELP = `usage: sonde dashboard [--port N] [--host H] [--token T]
  --port N     default 7777 (0 = any free port)
  --host H     default 127.0.0.1; any other host needs --token
  --token T    every request needs Authorization: Bearer T (open the printed URL: the page reads
               the token from its #fragment and sends the header)
  --duration S stop after S seconds`

export async function run(argv: string[]): Promise<number> {
  let v
  try {
    v = parseArgs({ args: argv, options: { port: { type: 'string' }, host: { type: 'string' }, token: { type: 'string' }, duration: { type: 'string' }, help: { type: 'boolean', short: 'h' } }, strict: true }).values
  } catch (e) { throw new UsageError((e as Error).message.split('\n')[0]) }
  if (v.help) { process.stdout.write(HELP + '\n'); return 0 }
  const port = intArg(v.port, 'port', 0, 65535)
  if (port !== undefined && !Number.isInteger(port)) throw new UsageError(`--port must be an integer, got '${v.port}'`)
  const duration = intArg(v.duration, 'duration', 0.1, 7 * 24 * 3600)
  let d
  try {
    d = await startDashboard({ port, host: v.host, token: v.token, mode: 'standalone', title: 'sonde dashboard' })
  } catch (e) {
    const err = e as NodeJS.ErrnoException
    if (err instanceof DashboardConfigError) throw new UsageError(err.message)
    if (err.code === 'EADDRINUSE' || err.code === 'EADDRNOTAVAIL') throw new UsageError(`cannot listen on ${v.host ?? '127.0.0.1'}:${port ?? 7777}: ${err.code}`)
    throw err
  }
  process.stdout.write(`sonde dashboard: ${d.url}${v.token ? '#token=<your token>' : ''} (pid ${process.pid})\n`)
  const why = await untilSignalOr(duration !== undefined ? duration * 1000 : undefined)
  await d.close()
  process.stdout.write(`sonde dashboard: stopped (${why})\n`)
  return 0
}
