// `sonde trace NAME --pid PID [--duration S] [--json] [--provider NAME]`: runs a library
// one-liner with bpftrace -f json against PID and prints its aggregations as the collectors'
// histograms (count, p50/p90/p99, max) and sorted maps, or the whole result as JSON.
import { UsageError } from '../usage-error'
import { parseFlags, usageError } from '../flags'
import { bpftraceMissing, BpftraceError, runOneLiner, type TraceResult } from '../../bpftrace/bridge'
import { findOneLiner, needsOf, oneLiners, PROVIDER_NAME } from '../../bpftrace/oneliners/index'
import { inspectTarget, parsePid, TargetError } from '../../inspect/target-process'
import { formatTraceResult } from '../trace-format'
import { readProcessProbes, ProcProbesError } from '../../inspect/proc-probes'

export const summary = 'run a one-liner against a process with bpftrace and print its histograms and maps'

export const help = `usage: sonde trace NAME --pid PID [--duration S] [--json] [--provider NAME]
  NAME             a one-liner of the library (sonde oneliners lists them)
  --pid PID        the Node.js process to trace (required)
  --duration S     stop after S seconds (default: Ctrl-C)
  --provider NAME  the user provider to trace (needed by user-provider)
  --json           the whole result as JSON (every key, every printf line)
  -h, --help       this help`

export const options = {
  pid: { type: 'string' }, duration: { type: 'string' }, json: { type: 'boolean' }, provider: { type: 'string' }, help: { type: 'boolean', short: 'h' },
} as const

interface TraceArgs { name: string; pid: number; durationS?: number; json: boolean; provider?: string; help?: boolean }

export function parseTraceArgs(argv: string[]): TraceArgs {
  const { values: v, positionals } = parseFlags('trace', argv, options)
  if (v.help) return { name: '', pid: 0, json: false, help: true }
  if (positionals.length > 1) throw usageError('trace', `one NAME only, got ${positionals.join(' ')}`)
  const name = positionals[0]
  let durationS: number | undefined
  if (v.duration !== undefined) {
    durationS = Number(v.duration)
    if (!(durationS > 0) || durationS > 86400) throw usageError('trace', `--duration: seconds in (0, 86400], got "${v.duration}"`)
  }
  if (name === undefined) throw usageError('trace', `which one-liner? (sonde oneliners lists ${oneLiners.length})`)
  const o = findOneLiner(name)
  if (!o) throw new UsageError(`unknown one-liner '${name}' (sonde oneliners lists ${oneLiners.length})`)
  if (v.pid === undefined) throw usageError('trace', '--pid PID is required')
  let pid: number
  try { pid = parsePid(v.pid) } catch (e) { if (e instanceof TargetError) throw new UsageError(e.message); throw e }
  if (v.provider !== undefined && !PROVIDER_NAME.test(v.provider)) throw usageError('trace', `--provider: bad provider name "${v.provider}"`)
  if (needsOf(o).includes('provider') && v.provider === undefined) throw usageError('trace', `${name} needs --provider NAME (the user provider to trace)`)
  return { name, pid, durationS, json: v.json === true, provider: v.provider }
}

/** The provider must be in the process (its USDT notes), or bpftrace would fail with no output. */
function checkProvider(pid: number, provider: string): void {
  let objects
  try { objects = readProcessProbes(pid) } catch (e) {
    if (e instanceof ProcProbesError) throw new UsageError(e.message)
    throw e
  }
  const providers = [...new Set(objects.flatMap((ob) => ob.probes.map((p) => p.provider)))].sort()
  if (providers.includes(provider)) return
  const user = providers.filter((p) => p !== 'sonde' && p !== 'node')
  throw new UsageError(`process ${pid} has no USDT provider '${provider}' (${user.length ? `its user providers: ${user.join(', ')}` : 'it has no user provider: createProvider() defines one'}; sonde probes --pid ${pid} lists them)`)
}

export async function run(argv: string[]): Promise<number> {
  const a = parseTraceArgs(argv)
  if (a.help) { process.stdout.write(help + '\n'); return 0 }
  const info = (() => { try { return inspectTarget(a.pid) } catch (e) { throw new UsageError((e as Error).message) } })()
  const o = findOneLiner(a.name)!
  const usesSonde = o.probes.some((p) => /^(sonde|node):/.test(p))
  if (usesSonde && !info.sondeLoaded) throw new UsageError(`process ${a.pid} has no sonde probes loaded: start it with -r sonde/register, or run sonde attach ${a.pid}`)
  if (a.provider !== undefined && needsOf(o).includes('provider')) checkProvider(a.pid, a.provider)
  const missing = bpftraceMissing()
  if (missing) throw new UsageError(missing)
  if (!a.json) process.stderr.write(`sonde trace: ${a.name} on ${a.pid}${a.durationS ? ` for ${a.durationS} s` : ' (Ctrl-C to stop)'}\n`)
  const t = runOneLiner(a.name, a.pid, { durationS: a.durationS, provider: a.provider })
  const onSig = (): void => t.stop()
  process.on('SIGINT', onSig)
  process.on('SIGTERM', onSig)
  let r: TraceResult & { exitCode: number | null; stderr: string }
  try { r = await t.result } catch (e) {
    if (e instanceof BpftraceError) throw new UsageError(e.message)
    throw e
  } finally {
    process.removeListener('SIGINT', onSig)
    process.removeListener('SIGTERM', onSig)
  }
  if (a.json) process.stdout.write(JSON.stringify({ oneliner: a.name, pid: a.pid, ...r }) + '\n')
  else process.stdout.write(formatTraceResult(r))
  return 0
}
