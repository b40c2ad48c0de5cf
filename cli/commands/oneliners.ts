// `sonde oneliners [NAME] [--pid PID] [--provider NAME] [--json]`: the one-liner library as
// commands that paste and run as-is on this install (addon path and PID filled in).
import { UsageError } from '../usage-error'
import { findOneLiner, headerOf, oneLiners, readOneLinerFile, renderCommand, renderProgram, type OneLiner, type RenderOptions } from '../../bpftrace/oneliners/index'
import { inspectTarget, parsePid, TargetError } from '../../inspect/target-process'

export const summary = 'print the bpftrace one-liner library, ready to paste (addon path and PID filled in)'

const USAGE = 'usage: sonde oneliners [NAME] [--pid PID] [--provider NAME] [--json]'

export interface OneLinersArgs { name?: string; pid?: number; provider?: string; json: boolean }

export function parseOneLinersArgs(argv: string[]): OneLinersArgs {
  const o: OneLinersArgs = { json: false }
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    try {
      if (a === '--json') o.json = true
      else if (a === '--pid') o.pid = parsePid(argv[++i])
      else if (a.startsWith('--pid=')) o.pid = parsePid(a.slice(6))
      else if (a === '--provider') { o.provider = argv[++i]; if (!o.provider || !/^[A-Za-z_]\w*$/.test(o.provider)) throw new UsageError(`--provider: bad provider name "${o.provider ?? ''}"`) }
      else if (a === '-h' || a === '--help') throw new UsageError(USAGE)
      else if (a.startsWith('-')) throw new UsageError(`unknown option ${a} (${USAGE})`)
      else if (o.name === undefined) o.name = a
      else throw new UsageError(`one NAME only (${USAGE})`)
    } catch (e) { if (e instanceof TargetError) throw new UsageError(e.message); throw e }
  }
  return o
}

function entry(o: OneLiner, opts: RenderOptions): Record<string, unknown> {
  return { name: o.name, description: o.description, probes: o.probes, needsPid: o.needsPid, env: o.env ?? {}, command: renderCommand(o, opts), program: renderProgram(o, opts), dtrace: o.dtrace ?? null }
}

export async function run(argv: string[]): Promise<number> {
  const a = parseOneLinersArgs(argv)
  if (a.pid !== undefined) {
    try { inspectTarget(a.pid) } catch (e) { throw new UsageError((e as Error).message) }
  }
  const opts: RenderOptions = { pid: a.pid, provider: a.provider }
  const list = a.name === undefined ? oneLiners : [findOneLiner(a.name)]
  if (list[0] === undefined) throw new UsageError(`unknown one-liner '${a.name}' (sonde oneliners lists ${oneLiners.length})`)
  const chosen = list as OneLiner[]
  if (a.json) {
    process.stdout.write(JSON.stringify(a.name === undefined ? chosen.map((o) => entry(o, opts)) : entry(chosen[0], opts), null, 2) + '\n')
    return 0
  }
  const out: string[] = []
  for (const o of chosen) {
    if (a.name !== undefined) out.push(headerOf(readOneLinerFile(o)).split('\n').map((l) => `# ${l}`.trimEnd()).join('\n'), '')
    else out.push(`# ${o.name}: ${o.description}${o.needsPid && a.pid === undefined ? ' (needs a PID: the newest node process is used)' : ''}`)
    out.push(renderCommand(o, opts))
    if (a.name !== undefined && o.dtrace) out.push('', '# DTrace syntax (illumos/macOS/FreeBSD):', o.dtrace)
    out.push('')
  }
  process.stdout.write(out.join('\n'))
  return 0
}
