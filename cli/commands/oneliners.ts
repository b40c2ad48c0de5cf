// `sonde oneliners [NAME] [--pid PID] [--provider NAME] [--json]`: the one-liner library as
// commands that paste and run as-is on this install (addon path and PID filled in).
import { UsageError } from '../usage-error'
import { parseFlags, usageError } from '../flags'
import { findOneLiner, headerOf, needsOf, PROVIDER_NAME, oneLiners, readOneLinerFile, renderCommand, renderProgram, type OneLiner, type RenderOptions } from '../../bpftrace/oneliners/index'
import { inspectTarget, parsePid, TargetError } from '../../inspect/target-process'

export const summary = 'print the bpftrace one-liner library, ready to paste (addon path and PID filled in)'

export const help = `usage: sonde oneliners [NAME] [--pid PID] [--provider NAME] [--json]
  (no NAME)        every one-liner as a ready-to-paste command
  NAME             one, with its header (usage, example output, overhead) and its DTrace form
  --pid PID        fill in this process (-p PID and $1); without it, one-liners that need a
                   PID pick your newest node process (pgrep -n -u $(id -u) -x node)
  --provider NAME  the user provider for user-provider (default myapp)
  --json           name, description, probes, needs (the flags each one-liner needs), env,
                   command, program, dtrace
  -h, --help       this help`

export const options = { pid: { type: 'string' }, provider: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } as const

export interface OneLinersArgs { name?: string; pid?: number; provider?: string; json: boolean; help?: boolean }

export function parseOneLinersArgs(argv: string[]): OneLinersArgs {
  const { values: v, positionals } = parseFlags('oneliners', argv, options)
  if (v.help) return { json: false, help: true }
  if (positionals.length > 1) throw usageError('oneliners', `one NAME only, got ${positionals.join(' ')}`)
  const o: OneLinersArgs = { json: v.json === true, name: positionals[0] }
  if (v.pid !== undefined) {
    try { o.pid = parsePid(v.pid) } catch (e) { if (e instanceof TargetError) throw new UsageError(e.message); throw e }
  }
  if (v.provider !== undefined) {
    if (!PROVIDER_NAME.test(v.provider)) throw usageError('oneliners', `--provider: bad provider name "${v.provider}"`)
    o.provider = v.provider
  }
  return o
}

function entry(o: OneLiner, opts: RenderOptions): Record<string, unknown> {
  return { name: o.name, description: o.description, probes: o.probes, needsPid: o.needsPid, needs: needsOf(o), env: o.env ?? {}, command: renderCommand(o, opts), program: renderProgram(o, opts), dtrace: o.dtrace ?? null }
}

export async function run(argv: string[]): Promise<number> {
  const a = parseOneLinersArgs(argv)
  if (a.help) { process.stdout.write(help + '\n'); return 0 }
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
    else {
      const notes = [
        ...(o.needsPid && a.pid === undefined ? ['needs a PID: your newest node process is used'] : []),
        ...(a.provider === undefined && needsOf(o).includes('provider') ? ['needs --provider NAME: myapp is filled in'] : []),
      ]
      out.push(`# ${o.name}: ${o.description}${notes.length ? ` (${notes.join('; ')})` : ''}`)
    }
    out.push(renderCommand(o, opts))
    // a comment, so a pasted block runs bpftrace and nothing else
    if (a.name !== undefined && o.dtrace) out.push('', '# DTrace syntax (illumos/macOS/FreeBSD):', `# ${o.dtrace}`)
    out.push('')
  }
  process.stdout.write(out.join('\n'))
  return 0
}
