// The tests' one way to run real bpftrace. The process and its stop are the product's
// (bpftrace/process.ts: SIGINT only while bpftrace polls, repeated after 1 s, SIGKILL
// at 10 s or up to 60 s while it still works, an exit hook kills leftovers); this adds what tests need on top:
// - a READY handshake: the program's BEGIN prints a unique marker, and BEGIN runs only after
//   every probe is attached, so a test fires its events after `await bt.ready` and none is missed
//   (a USDT semaphore can rise before its uprobe is in place; "Attaching N probes" comes first);
// - `ready` rejects after readyTimeoutMs or when bpftrace exits first, with its stderr;
// - stdout kept as lines (bounded; the "Attaching" line and blank lines dropped), or with
//   json: true, `-f json` parsed into the collectors' TraceResult;
// - the child never holds the test process open (a failed test cannot hang its file), yet a
//   pending `ready`/`stop()` does.
// Writing programs for it: aggregate in maps (a printf per event wakes bpftrace's reader and
// perturbs latencies), %ld/%lu for 64-bit values (%d truncates), few strings per action (its
// stack is 512 bytes).
import { DEFAULT_LIMITS, emptyResult, parseBpftraceLine, type TraceResult } from '../../bpftrace/output'
import { readyMarker, spawnBpftrace, withReadyMarker, type BpftraceExit } from '../../bpftrace/process'

export interface BpftraceOptions {
  /** bpftrace -p PID */
  pid?: number
  /** More bpftrace arguments, before -e (e.g. ['-B', 'none']). */
  args?: string[]
  /** -f json; the output is parsed into `result`. */
  json?: boolean
  env?: NodeJS.ProcessEnv
  readyTimeoutMs?: number
  /** stdout lines kept (default 200 000); more are counted in notes. */
  maxLines?: number
}

export interface BpftraceOutput extends BpftraceExit {
  lines: string[]
  /** lines joined with '\n' (plus a final '\n'), for regex checks. */
  text: string
  result: TraceResult
}

export interface Bpftrace {
  pid: number | undefined
  /** stdout lines so far (after the marker). */
  lines: string[]
  ready: Promise<void>
  stop(): Promise<BpftraceOutput>
  /** Waits for bpftrace's own exit (exit() in the program, the traced process gone); stop() after timeoutMs (default 60 s, noted). */
  exited(timeoutMs?: number): Promise<BpftraceOutput>
  stderr(): string
}

// A test file killed by run-tests.js's per-file timeout (SIGTERM) or by hand still runs the
// runner's exit hook, which SIGKILLs every bpftrace it started.
let signalHook = false
function exitOnSignals(): void {
  if (signalHook) return
  signalHook = true
  for (const [sig, n] of [['SIGTERM', 15], ['SIGINT', 2], ['SIGHUP', 1]] as const) {
    process.once(sig, () => process.exit(128 + n))
  }
}

export function startBpftrace(program: string, opts: BpftraceOptions = {}): Bpftrace {
  exitOnSignals()
  const marker = readyMarker()
  const maxLines = opts.maxLines ?? 200_000
  const args = [...(opts.json ? ['-f', 'json'] : []), ...(opts.pid !== undefined ? ['-p', String(opts.pid)] : []), ...(opts.args ?? []), '-e', withReadyMarker(program, marker)]
  const lines: string[] = []
  const result = emptyResult()
  let dropped = 0, seen = false
  let onReady!: () => void, onFail!: (e: Error) => void
  const ready = new Promise<void>((res, rej) => { onReady = res; onFail = rej })
  ready.catch(() => undefined) // a test that never awaits it must not die of an unhandled rejection
  const p = spawnBpftrace({
    args, env: opts.env, ref: false,
    onLine: (line) => {
      if (!seen && line.includes(marker)) { seen = true; onReady(); return }
      if (opts.json) {
        parseBpftraceLine(result, line, DEFAULT_LIMITS)
        if (/^\{"type": ?"attached_probes"/.test(line)) return
      } else if (line === '' || /^Attaching \d+ probes?\.\.\.$/.test(line)) return
      if (lines.length < maxLines) lines.push(line); else dropped++
    },
  })
  const output = (x: BpftraceExit): BpftraceOutput => {
    const notes = dropped ? [...x.notes, `${dropped} stdout lines over ${maxLines} dropped`] : x.notes
    return { ...x, notes, lines, text: lines.length ? lines.join('\n') + '\n' : '', result }
  }
  const exited = p.exited.then(output)
  const timeoutMs = opts.readyTimeoutMs ?? 60_000
  const timer = setTimeout(() => {
    onFail(new Error(`bpftrace printed no READY marker in ${timeoutMs / 1000} s; stderr: ${p.stderr().trim()}`))
    void p.stop()
  }, timeoutMs)
  ready.then(() => clearTimeout(timer), () => clearTimeout(timer))
  void exited.then((x) => {
    if (!seen) onFail(new Error(`bpftrace exited (${x.code ?? x.signal}) before READY: ${x.error?.message ?? x.stderr.trim()}`))
  })
  return {
    pid: p.pid, lines, ready,
    stop: () => p.stop().then(output),
    exited(ms = 60_000) {
      // the child is unref'd: this timer holds the test process open while it waits
      let late = false
      const t = setTimeout(() => { late = true; void p.stop() }, ms)
      return exited.then((x) => {
        clearTimeout(t)
        return late ? { ...x, notes: [...x.notes, `did not exit on its own in ${ms / 1000} s: stopped`] } : x
      })
    },
    stderr: () => p.stderr(),
  }
}
