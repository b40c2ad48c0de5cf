// Runs bpftrace with `-f json` and turns its output into the collectors' data: maps as plain
// objects, hist/lhist as the log-linear Histogram model (bpftrace-output.ts). Used by
// `sonde trace` and by the dashboard (runOneLiner(..., { onUpdate }) streams every print as a
// "bpftrace" panel update). Bounded: printf lines and map keys are capped by the parser, a
// single output line longer than maxLineBytes is dropped (counted as a note), stderr keeps
// its first 4 KiB. bpftrace is stopped with SIGINT (it then prints its maps and exits) at the
// end of the duration, on stop(), or when the traced process exits.
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import { DEFAULT_LIMITS, emptyResult, parseBpftraceLine, type TraceResult } from './bpftrace-output'
import { bpftraceArgs, findOneLiner, type RenderOptions } from '../probes/oneliners/index'

export type { TraceResult, HistogramEntry } from './bpftrace-output'

export interface BpftraceOptions {
  /** bpftrace arguments without -f json (e.g. ['-p', '123', '-e', PROGRAM]). */
  args: string[]
  /** Stop after this many seconds (default: run until stop()). */
  durationS?: number
  /** Stop when this process exits. */
  watchPid?: number
  onAttached?: (probes: number) => void
  /** Called after each map/hist/stats print (interval prints, the final print). */
  onUpdate?: (r: TraceResult) => void
  bpftrace?: string
  maxLineBytes?: number
}

export interface BpftraceRun {
  result: Promise<TraceResult & { exitCode: number | null; stderr: string }>
  /** SIGINT: bpftrace prints its maps and exits. */
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
  const maxLine = opts.maxLineBytes ?? 8 * 1024 * 1024
  const child = spawn(opts.bpftrace ?? 'bpftrace', ['-f', 'json', ...opts.args], { stdio: ['ignore', 'pipe', 'pipe'] })
  const r = emptyResult()
  let stderr = ''
  let stopped = false
  let closed = false
  let lastOutputMs = Date.now() // any stdout data; an interval-printing program stuck after SIGINT keeps it fresh (then only the 60 s SIGKILL helps)
  const timers: NodeJS.Timeout[] = []
  const stop = (): void => {
    if (stopped || closed) return
    stopped = true
    try { child.kill('SIGINT') } catch { /* gone */ }
    timers.push(setInterval(unstick, 3000))
  }
  // bpftrace 0.17 sometimes does not act on the SIGINT: seen twice in the one-liner test, it
  // kept polling (epoll_wait, 100 ms timeout) for minutes after it, with no output; a SIGINT
  // sent by hand then stopped it at once with its maps. A SIGINT repeated too soon is no cure
  // either: sent while bpftrace prints, it kills it before the maps are out (exit 130,
  // measured). So only after 3 s without any output: SIGSTOP+SIGCONT (makes a blocked
  // epoll_wait return EINTR, signal(7); harmless otherwise, measured), and from 6 s on another
  // SIGINT every 3 s. After 60 s, SIGKILL (the maps are lost; noted).
  let nudges = 0
  function unstick(): void {
    if (closed) return
    if (++nudges > 20) { r.notes.push('bpftrace did not exit 60 s after SIGINT: killed'); try { child.kill('SIGKILL') } catch { /* gone */ } return }
    if (Date.now() - lastOutputMs < 3000) return
    try {
      child.kill('SIGSTOP'); child.kill('SIGCONT')
      if (nudges >= 2) child.kill('SIGINT')
    } catch { /* gone */ }
  }
  // durationS and the traced process's exit end the run like stop() (these two timers were
  // dropped by 1a0dc10, so `sonde trace --duration` ran until Ctrl-C).
  if (opts.durationS !== undefined) timers.push(setTimeout(stop, opts.durationS * 1000))
  if (opts.watchPid !== undefined) {
    const pid = opts.watchPid
    timers.push(setInterval(() => { try { process.kill(pid, 0) } catch { stop() } }, 250))
  }
  let buf = ''
  let skipping = false
  child.stdout.setEncoding('utf8')
  child.stdout.on('data', (d: string) => {
    lastOutputMs = Date.now()
    buf += d
    let i
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i)
      buf = buf.slice(i + 1)
      if (skipping) { skipping = false; continue }
      handle(line)
    }
    if (buf.length > maxLine) { buf = ''; skipping = true; r.notes.push(`an output line over ${maxLine} bytes was dropped`) }
  })
  function handle(line: string): void {
    const kind = parseBpftraceLine(r, line, DEFAULT_LIMITS)
    if (kind === 'attached_probes') opts.onAttached?.(r.attachedProbes)
    else if ((kind === 'map' || kind === 'hist' || kind === 'stats') && opts.onUpdate) {
      try { opts.onUpdate(r) } catch { /* a consumer's error must not stop the trace */ }
    }
  }
  child.stderr.setEncoding('utf8')
  child.stderr.on('data', (d: string) => {
    if (stderr.length < 16384) stderr += d.slice(0, 16384 - stderr.length)
  })
  const result = new Promise<TraceResult & { exitCode: number | null; stderr: string }>((resolve, reject) => {
    child.on('error', (e) => { timers.forEach(clearInterval); reject(new BpftraceError(`cannot run bpftrace: ${e.message}`)) })
    child.on('close', (code) => {
      closed = true
      timers.forEach(clearInterval)
      stderr = stderr.split('\n').filter((l) => l.trim() && !NOISE.test(l)).join('\n').slice(0, 4096)
      if (buf.trim()) handle(buf)
      if (code !== 0 && !stopped && r.attachedProbes === 0) {
        const first = stderr.split('\n').find((l) => /ERROR|error/.test(l)) ?? stderr.split('\n')[0] ?? ''
        reject(new BpftraceError(`bpftrace failed (exit ${code}): ${first.trim() || 'no output'}`))
        return
      }
      resolve({ ...r, exitCode: code, stderr })
    })
  })
  return { result, stop, pid: child.pid }
}

export interface OneLinerRunOptions extends RenderOptions {
  durationS?: number
  onUpdate?: (r: TraceResult) => void
  onAttached?: (probes: number) => void
}

/**
 * Run a library one-liner against a process: the dashboard's "bpftrace" panel streams
 * onUpdate; `sonde trace` prints the final result. Throws BpftraceError for an unknown name.
 */
export function runOneLiner(name: string, pid: number, opts: OneLinerRunOptions = {}): BpftraceRun {
  const o = findOneLiner(name)
  if (!o) throw new BpftraceError(`unknown one-liner '${name}' (sonde oneliners lists them)`)
  return runBpftrace({
    args: bpftraceArgs(o, { ...opts, pid }), durationS: opts.durationS, watchPid: pid,
    onUpdate: opts.onUpdate, onAttached: opts.onAttached,
  })
}
