// `sonde attach PID [--json]`: load sonde (dist/register.js) into a running Node.js process
// started without it, through its inspector, then close the inspector again (inspect/attach.ts).
import { UsageError } from '../usage-error'
import { parseFlags, usageError } from '../flags'
import { attachSonde, AttachError } from '../../inspect/attach'
import { parsePid, TargetError } from '../../inspect/target-process'

export const summary = 'load sonde into a running Node.js process (through its inspector, closed again afterwards)'

export const help = `usage: sonde attach PID [--json] [--timeout SECONDS]
  PID            a running Node.js process of yours (or any, as root) started without sonde
  --json         print the outcome as JSON
  --timeout S    give up after S seconds (0..3600)
  -h, --help     this help`

export const options = { json: { type: 'boolean' }, timeout: { type: 'string' }, help: { type: 'boolean', short: 'h' } } as const

export function parseAttachArgs(argv: string[]): { pid: number; json: boolean; timeoutMs?: number; help: boolean } {
  const { values: v, positionals } = parseFlags('attach', argv, options)
  if (v.help) return { pid: 0, json: false, help: true }
  let timeoutMs: number | undefined
  if (v.timeout !== undefined) {
    const s = Number(v.timeout)
    if (!(s > 0 && s <= 3600)) throw usageError('attach', `--timeout: seconds between 0 and 3600, not "${v.timeout}"`)
    timeoutMs = s * 1000
  }
  if (positionals.length === 0) throw usageError('attach', 'which process? give its PID')
  if (positionals.length > 1) throw usageError('attach', 'one PID only')
  let pid: number
  try { pid = parsePid(positionals[0], 'PID') } catch (e) { throw new UsageError((e as Error).message) }
  return { pid, json: v.json === true, timeoutMs, help: false }
}

export async function run(argv: string[]): Promise<number> {
  const a = parseAttachArgs(argv)
  if (a.help) { process.stdout.write(help + '\n'); return 0 }
  // an interrupt ends the wait, not the agent: it still closes the inspector we opened
  const ac = new AbortController()
  const onSignal = () => ac.abort()
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal)
  let r
  try { r = await attachSonde(a.pid, { timeoutMs: a.timeoutMs, signal: ac.signal }) } catch (e) {
    if (e instanceof TargetError || e instanceof AttachError) throw new UsageError(e.message)
    throw e
  } finally { process.off('SIGINT', onSignal).off('SIGTERM', onSignal) }
  if (a.json) process.stdout.write(JSON.stringify(r) + '\n')
  else if (r.outcome === 'already') process.stdout.write(`sonde is already loaded in process ${r.pid}\n`)
  else {
    const insp = r.inspectorWasOpen ? `inspector on port ${r.port} was already open: left open`
      : r.inspectorClosed ? `inspector (port ${r.port}) closed again` : `warning: inspector port ${r.port} still listening (the process is busy; it closes the inspector when it next runs)`
    process.stdout.write(`sonde loaded into process ${r.pid}; ${insp}\n`)
  }
  return r.outcome === 'already' || r.inspectorWasOpen || r.inspectorClosed ? 0 : 1
}
