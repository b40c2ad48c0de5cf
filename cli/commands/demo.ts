// `sonde demo [--port 7777] [--duration S]` (what `npm start` runs): the instrumented demo app
// with its load and the live dashboard. Ctrl-C (or --duration) stops everything and exits 0.
import { parseArgs } from 'node:util'
import { UsageError } from '../usage-error'
import { intArg, untilSignalOr } from '../args'
import { startDemo } from '../../examples/demo/run-demo'
import { DashboardConfigError, urlToOpen } from '../../web/server'

export const summary = 'demo express app + worker pool + load, with the live dashboard (npm start)'

const HELP = `usage: sonde demo [--port N] [--duration S] [--stream-interval MS]
  --port N        dashboard port on 127.0.0.1 (default 7777; 0 = any free port)
  --duration S    stop after S seconds (default: until Ctrl-C)`

export async function run(argv: string[]): Promise<number> {
  let v
  try {
    v = parseArgs({ args: argv, options: { port: { type: 'string' }, duration: { type: 'string' }, 'stream-interval': { type: 'string' }, help: { type: 'boolean', short: 'h' } }, strict: true }).values
  } catch (e) { throw new UsageError((e as Error).message.split('\n')[0]) }
  if (v.help) { process.stdout.write(HELP + '\n'); return 0 }
  const port = intArg(v.port, 'port', 0, 65535)
  if (port !== undefined && !Number.isInteger(port)) throw new UsageError(`--port must be an integer, got '${v.port}'`)
  const duration = intArg(v.duration, 'duration', 0.1, 7 * 24 * 3600)
  const streamIntervalMs = intArg(v['stream-interval'], 'stream-interval', 20, 60_000)
  let demo
  try {
    demo = await startDemo({ port, durationSeconds: duration, streamIntervalMs })
  } catch (e) {
    const err = e as NodeJS.ErrnoException
    if (err instanceof DashboardConfigError) throw new UsageError(err.message)
    if (err.code === 'EADDRINUSE') throw new UsageError(`port ${port ?? 7777} is in use (try --port 0)`)
    throw err
  }
  process.stdout.write(`sonde demo: dashboard on ${urlToOpen(demo.dashboard)} (pid ${process.pid}; demo app on ${demo.appUrl})\n`)
  const why = await untilSignalOr(duration !== undefined ? duration * 1000 : undefined)
  await demo.close()
  process.stdout.write(`sonde demo: stopped (${why})\n`)
  return 0
}
