// `sonde trace NAME --pid PID [--duration S] [--json] [--provider NAME]`: runs a library
// one-liner with bpftrace -f json against PID and prints its aggregations as the collectors'
// histograms (count, p50/p90/p99, max) and sorted maps, or the whole result as JSON.
import { UsageError } from '../usage-error'
import { bpftraceMissing, BpftraceError, runOneLiner, type TraceResult } from '../../bpftrace/bridge'
import { findOneLiner, oneLiners } from '../../bpftrace/oneliners/index'
import { inspectTarget, parsePid, TargetError } from '../../inspect/target-process'
import { formatTraceResult } from '../trace-format'

export const summary = 'run a one-liner against a process with bpftrace and print its histograms and maps'

const USAGE = 'usage: sonde trace NAME --pid PID [--duration S] [--json] [--provider NAME]'

interface TraceArgs { name: string; pid: number; durationS?: number; json: boolean; provider?: string }

export function parseTraceArgs(argv: string[]): TraceArgs {
  let name: string | undefined, pid: number | undefined, durationS: number | undefined, provider: string | undefined
  let json = false
  try {
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i]
      if (a === '--json') json = true
      else if (a === '--pid') pid = parsePid(argv[++i])
      else if (a === '--duration') {
        const v = argv[++i]
        durationS = Number(v)
        if (v === undefined || !(durationS > 0) || durationS > 86400) throw new UsageError(`--duration: seconds in (0, 86400], got "${v ?? ''}"`)
      } else if (a === '--provider') provider = argv[++i]
      else if (a === '-h' || a === '--help') throw new UsageError(USAGE)
      else if (a.startsWith('-')) throw new UsageError(`unknown option ${a} (${USAGE})`)
      else if (name === undefined) name = a
      else throw new UsageError(`one NAME only (${USAGE})`)
    }
  } catch (e) { if (e instanceof TargetError) throw new UsageError(e.message); throw e }
  if (name === undefined) throw new UsageError(`which one-liner? (${USAGE}; sonde oneliners lists ${oneLiners.length})`)
  if (!findOneLiner(name)) throw new UsageError(`unknown one-liner '${name}' (sonde oneliners lists ${oneLiners.length})`)
  if (pid === undefined) throw new UsageError(`--pid PID is required (${USAGE})`)
  return { name, pid, durationS, json, provider }
}

export async function run(argv: string[]): Promise<number> {
  const a = parseTraceArgs(argv)
  const info = (() => { try { return inspectTarget(a.pid) } catch (e) { throw new UsageError((e as Error).message) } })()
  const o = findOneLiner(a.name)!
  const usesSonde = o.probes.some((p) => /^(sonde|node):/.test(p))
  if (usesSonde && !info.sondeLoaded) throw new UsageError(`process ${a.pid} has no sonde probes loaded: start it with -r sonde/register, or run sonde attach ${a.pid}`)
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
