// `sonde attach PID [--json]`: load sonde (dist/register.js) into a running Node.js process
// started without it, through its inspector, then close the inspector again (probes/attach.ts).
import { UsageError } from '../usage-error'
import { attachSonde, AttachError } from '../../probes/attach'
import { parsePid, TargetError } from '../../probes/target-process'

export const summary = 'load sonde into a running Node.js process (through its inspector, closed again afterwards)'

const USAGE = 'usage: sonde attach PID [--json]'

export function parseAttachArgs(argv: string[]): { pid: number; json: boolean } {
  let pid: number | undefined
  let json = false
  for (const a of argv) {
    if (a === '--json') json = true
    else if (a === '-h' || a === '--help') throw new UsageError(USAGE)
    else if (a.startsWith('-')) throw new UsageError(`unknown option ${a} (${USAGE})`)
    else if (pid === undefined) {
      try { pid = parsePid(a, 'PID') } catch (e) { throw new UsageError((e as Error).message) }
    } else throw new UsageError(`one PID only (${USAGE})`)
  }
  if (pid === undefined) throw new UsageError(`which process? (${USAGE})`)
  return { pid, json }
}

export async function run(argv: string[]): Promise<number> {
  const a = parseAttachArgs(argv)
  let r
  try { r = await attachSonde(a.pid) } catch (e) {
    if (e instanceof TargetError || e instanceof AttachError) throw new UsageError(e.message)
    throw e
  }
  if (a.json) process.stdout.write(JSON.stringify(r) + '\n')
  else if (r.outcome === 'already') process.stdout.write(`sonde is already loaded in process ${r.pid}\n`)
  else {
    const insp = r.inspectorWasOpen ? `inspector on port ${r.port} was already open: left open`
      : r.inspectorClosed ? `inspector (port ${r.port}) closed again` : `warning: inspector port ${r.port} still listening`
    process.stdout.write(`sonde loaded into process ${r.pid}; ${insp}\n`)
  }
  return r.outcome === 'already' || r.inspectorWasOpen || r.inspectorClosed ? 0 : 1
}
