// `sonde demo [--port 7777] [--duration S]` (what `npm start` runs): the instrumented demo app
// with its load and the live dashboard. Ctrl-C (or --duration) stops everything and exits 0.
import { UsageError } from '../usage-error'
import { parseFlags, usageError } from '../flags'
import { intArg, untilSignalOr } from '../args'
import { startDemo } from '../../examples/demo/run-demo'
import { DashboardConfigError, urlToOpen } from '../../web/server'

export const summary = 'demo express app + worker pool + load, with the live dashboard (npm start)'

export const help = `usage: sonde demo [--port N] [--duration S] [--stream-interval MS]
  --port N        dashboard port on 127.0.0.1 (default 7777; 0 = any free port)
  --duration S    stop after S seconds (default: until Ctrl-C)
  --stream-interval MS  how often the dashboard's live stream sends (20..60000 ms)
  -h, --help      this help

The demo app fires its own USDT provider 'demo' (request__start, request__done, job__start,
job__done): sonde oneliners user-provider --pid PID --provider demo`

export const options = {
  port: { type: 'string' }, duration: { type: 'string' }, 'stream-interval': { type: 'string' }, help: { type: 'boolean', short: 'h' },
} as const

export async function run(argv: string[]): Promise<number> {
  const v = parseFlags('demo', argv, options, false).values
  if (v.help) { process.stdout.write(help + '\n'); return 0 }
  const port = intArg('demo', v.port, 'port', 0, 65535)
  if (port !== undefined && !Number.isInteger(port)) throw usageError('demo', `--port must be an integer, got '${v.port}'`)
  const duration = intArg('demo', v.duration, 'duration', 0.1, 7 * 24 * 3600)
  const streamIntervalMs = intArg('demo', v['stream-interval'], 'stream-interval', 20, 60_000)
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
  process.stdout.write(`sonde demo: its USDT provider 'demo': sonde trace user-provider --pid ${process.pid} --provider demo --duration 10\n`)
  const why = await untilSignalOr(duration !== undefined ? duration * 1000 : undefined)
  await demo.close()
  process.stdout.write(`sonde demo: stopped (${why})\n`)
  return 0
}
