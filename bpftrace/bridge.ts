// Runs bpftrace with `-f json` and turns its output into the collectors' data: maps as plain
// objects, hist/lhist as the log-linear Histogram model (bpftrace-output.ts). Used by
// `sonde trace` and by the dashboard (runOneLiner(..., { onUpdate }) streams every print as a
// "bpftrace" panel update). Bounded: printf lines and map keys are capped by the parser, a
// single output line longer than maxLineBytes is dropped (counted as a note), stderr keeps
// its first 4 KiB. bpftrace is stopped (bpftrace-process.ts: SIGINT only while it polls, then it
// prints its maps and exits) at the end of the duration, on stop(), or when the traced process exits.
import fs from 'node:fs'
import { readyMarker, spawnBpftrace, withReadyMarker } from './process'
import { DEFAULT_LIMITS, emptyResult, parseBpftraceLine, type TraceResult } from './output'
import { bpftraceArgs, bpftraceEnv, findOneLiner, type RenderOptions } from './oneliners/index'

export type { TraceResult, HistogramEntry } from './output'

export interface BpftraceOptions {
  /** bpftrace arguments without -f json (e.g. ['-p', '123', '-e', PROGRAM]). */
  args: string[]
  /** Stop after this many seconds (default: run until stop()). */
  durationS?: number
  /** Stop when this process exits. */
  watchPid?: number
  onAttached?: (probes: number) => void
  /** Called once every probe is attached: the -e program gets a BEGIN handshake (its printf is not in the result). */
  onReady?: () => void
  /** Called after each map/hist/stats print (interval prints, the final print). */
  onUpdate?: (r: TraceResult) => void
  bpftrace?: string
  /** bpftrace's environment (default: this process's). */
  env?: NodeJS.ProcessEnv
  maxLineBytes?: number
}

export interface BpftraceRun {
  result: Promise<TraceResult & { exitCode: number | null; stderr: string }>
  /** SIGINT (safely, repeated if ignored, SIGKILL after 10-60 s): bpftrace prints its maps and exits. */
  stop(): void
  /** bpftrace's pid (the dashboard panel SIGKILLs it when it outlives a stop). */
  pid: number | undefined
}

export class BpftraceError extends Error { override readonly name = 'BpftraceError' }

// bpftrace 0.17 prints this on every start when it cannot raise RLIMIT_MEMLOCK (harmless).
const NOISE = /couldn't set RLIMIT_MEMLOCK|^Attaching \d+ probes?\.\.\.$/

/** null when bpftrace can run here; else one line saying what is missing and how to get it. */
export function bpftraceMissing(bin = 'bpftrace'): string | null {
  if (process.getuid && process.getuid() !== 0) return 'bpftrace needs root: run as root (sudo sonde ...) or with CAP_BPF + CAP_PERFMON'
  const found = bin.includes('/') ? fs.existsSync(bin) : (process.env.PATH ?? '').split(':').some((d) => d && fs.existsSync(`${d}/${bin}`))
  if (!found) return 'bpftrace not found in PATH: install it (apt-get install -y bpftrace, dnf install bpftrace) — 0.17 or newer'
  return null
}

export function runBpftrace(opts: BpftraceOptions): BpftraceRun {
  const r = emptyResult()
  let stopped = false
  const timers: NodeJS.Timeout[] = []
  const marker = opts.onReady ? readyMarker() : undefined
  const args = [...opts.args]
  const e = args.indexOf('-e')
  if (marker && e >= 0 && e + 1 < args.length) args[e + 1] = withReadyMarker(args[e + 1], marker)
  // The stop itself (when SIGINT is safe, repeats, SIGKILL) is bpftrace-process.ts's.
  const proc = spawnBpftrace({
    bin: opts.bpftrace, args: ['-f', 'json', ...args], env: opts.env, maxLineBytes: opts.maxLineBytes,
    onLine: (line) => {
      if (marker && line.includes(marker)) { opts.onReady!(); return }
      const kind = parseBpftraceLine(r, line, DEFAULT_LIMITS)
      if (kind === 'attached_probes') opts.onAttached?.(r.attachedProbes)
      else if ((kind === 'map' || kind === 'hist' || kind === 'stats') && opts.onUpdate) {
        try { opts.onUpdate(r) } catch { /* a consumer's error must not stop the trace */ }
      }
    },
  })
  const stop = (): void => { stopped = true; void proc.stop() }
  // durationS and the traced process's exit end the run like stop() (these two timers were
  // dropped by 1a0dc10, so `sonde trace --duration` ran until Ctrl-C).
  if (opts.durationS !== undefined) timers.push(setTimeout(stop, opts.durationS * 1000))
  if (opts.watchPid !== undefined) {
    const pid = opts.watchPid
    timers.push(setInterval(() => { try { process.kill(pid, 0) } catch { stop() } }, 250))
  }
  const result = proc.exited.then((x) => {
    timers.forEach(clearInterval)
    if (x.error) throw new BpftraceError(`cannot run bpftrace: ${x.error.message}`)
    r.notes.push(...x.notes)
    const stderr = x.stderr.split('\n').filter((l) => l.trim() && !NOISE.test(l)).join('\n').slice(0, 4096)
    if (x.code !== 0 && !stopped && r.attachedProbes === 0) {
      const first = stderr.split('\n').find((l) => /ERROR|error/.test(l)) ?? stderr.split('\n')[0] ?? ''
      throw new BpftraceError(`bpftrace failed (exit ${x.code ?? x.signal}): ${first.trim() || 'no output'}`)
    }
    return { ...r, exitCode: x.code, stderr }
  })
  return { result, stop, pid: proc.pid }
}

export interface OneLinerRunOptions extends RenderOptions {
  durationS?: number
  onUpdate?: (r: TraceResult) => void
  onAttached?: (probes: number) => void
  onReady?: () => void
}

/**
 * Run a library one-liner against a process: the dashboard's "bpftrace" panel streams
 * onUpdate; `sonde trace` prints the final result. Throws BpftraceError for an unknown name.
 */
export function runOneLiner(name: string, pid: number, opts: OneLinerRunOptions = {}): BpftraceRun {
  const o = findOneLiner(name)
  if (!o) throw new BpftraceError(`unknown one-liner '${name}' (sonde oneliners lists them)`)
  return runBpftrace({
    args: bpftraceArgs(o, { ...opts, pid }), env: bpftraceEnv(o), durationS: opts.durationS, watchPid: pid,
    onUpdate: opts.onUpdate, onAttached: opts.onAttached, onReady: opts.onReady,
  })
}
