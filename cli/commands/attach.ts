// `sonde attach PID [--json]`: load sonde (dist/register.js) into a running Node.js process
// started without it, through its inspector, then close the inspector again (inspect/attach.ts).
import { UsageError } from '../usage-error'
import { attachSonde, AttachError } from '../../inspect/attach'
import { parsePid, TargetError } from '../../inspect/target-process'

export const summary = 'load sonde into a running Node.js process (through its inspector, closed again afterwards)'

const USAGE = 'usage: sonde attach PID [--json] [--timeout SECONDS]'

export function parseAttachArgs(argv: string[]): { pid: number; json: boolean; timeoutMs?: number } {
  let pid: number | undefined
  let json = false
  let timeoutMs: number | undefined
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (a === '--json') json = true
    else if (a === '--timeout') {
      const s = Number(argv[++i])
      if (!(s > 0 && s <= 3600)) throw new UsageError(`--timeout: seconds between 0 and 3600, not "${argv[i] ?? ''}"`)
      timeoutMs = s * 1000
    }
    else if (a === '-h' || a === '--help') throw new UsageError(USAGE)
    else if (a.startsWith('-')) throw new UsageError(`unknown option ${a} (${USAGE})`)
    else if (pid === undefined) {
      try { pid = parsePid(a, 'PID') } catch (e) { throw new UsageError((e as Error).message) }
    } else throw new UsageError(`one PID only (${USAGE})`)
  }
  if (pid === undefined) throw new UsageError(`which process? (${USAGE})`)
  return { pid, json, timeoutMs }
}

export async function run(argv: string[]): Promise<number> {
  const a = parseAttachArgs(argv)
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
