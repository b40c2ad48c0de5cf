// One bpftrace process: spawn, stdout as lines (a line over maxLineBytes is dropped and noted),
// stderr bounded, and a stop that always ends it. Shared by the bridge (`sonde trace`, the
// dashboard panel) and the tests' harness (test/support/bpftrace.ts): the stop facts live here.
//
// How bpftrace 0.17 handles the signals that end it (its main.cpp and BPFtrace::poll_perf_events,
// and measured here):
// - Its poll loop tests the exit flag only when epoll_wait (100 ms timeout) fails with EINTR. A
//   SIGINT that lands while it reads events sets the flag and is then "ignored" until the next
//   signal (seen: polling for minutes after a SIGINT; a second one ended it with its maps).
// - Once the loop returns it restores SIGINT's default action, so a second SIGINT while it
//   prints its maps kills it (measured: SIGINT 100-150 ms after the first, 47 of 135 KB out).
// - A handled signal that interrupts a write blocked on a full pipe cuts the rest of its output
//   silently (measured with SIGTERM, same handler, no SA_RESTART: 7371 of 8197 lines, exit 0).
// - A SIGINT that lands after events woke epoll_wait but before they were read loses them: the
//   loop returns unread with the fd's wakeup spent, and the drain after END does not see them.
// So SIGINT is sent only while bpftrace's main thread sleeps in epoll_wait (/proc/PID/syscall,
// state S in /proc/PID/stat):
// there it acts at once, cannot cut a write and cannot meet the default action. It is re-sent
// at most once a second while bpftrace is (again) found there, and SIGKILL ends it at the
// deadline (10 s; up to 60 s while it is still working out of its poll loop; maps lost; noted). Where /proc/PID/syscall cannot be read: SIGINT once,
// then SIGSTOP+SIGCONT once a second (makes epoll_wait fail with EINTR, signal(7); other
// system calls are restarted). A process 'exit' hook SIGKILLs every bpftrace still running.
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'

export interface BpftraceProcessOptions {
  args: string[]
  bin?: string
  env?: NodeJS.ProcessEnv
  /** Each stdout line, without its newline. */
  onLine: (line: string) => void
  maxLineBytes?: number
  /** stderr kept (first bytes). Default 16 KiB. */
  stderrBytes?: number
  /** SIGKILL this long after stop() began, unless bpftrace is still working then (out of its poll
   * loop, CPU time rising). Default 10 s (maps of 8k keys print in 0.1-0.5 s here). */
  killAfterMs?: number
  /** SIGKILL at this point in any case. Default 60 s. */
  maxKillAfterMs?: number
  /** false: the child never holds the event loop open (tests: a failed test must not hang the file). */
  ref?: boolean
}

export interface BpftraceExit {
  code: number | null
  signal: NodeJS.Signals | null
  stderr: string
  /** Set when bpftrace could not be started (ENOENT, EACCES). */
  error?: Error
  /** What the stop had to do beyond one SIGINT, and dropped lines. */
  notes: string[]
  /** SIGINTs sent by stop(). */
  interrupts: number
}

export interface BpftraceProcess {
  pid: number | undefined
  /** Resolves when bpftrace has exited and its output is read; never rejects. */
  exited: Promise<BpftraceExit>
  /** Ends bpftrace as described above; idempotent; resolves like `exited`. */
  stop(): Promise<BpftraceExit>
  running(): boolean
  /** stderr read so far (bounded). */
  stderr(): string
}

const live = new Set<ChildProcess>()
let exitHook = false

// x86_64: epoll_wait 232, epoll_pwait 281, epoll_pwait2 441, write 1, writev 20;
// arm64: epoll_pwait 22, epoll_pwait2 441, write 64, writev 66.
const SYSCALLS: Record<string, { poll: number[]; write: number[] }> = {
  x64: { poll: [232, 281, 441], write: [1, 20] },
  arm64: { poll: [22, 441], write: [64, 66] },
}

/**
 * What the main thread of pid does: 'poll' (asleep in epoll_wait), 'woken' (in epoll_wait with events to read), 'write' (in write: blocked on a full
 * pipe, where a handled signal would cut its output), 'busy' (anything else), null when unknown.
 */
export function pollState(pid: number): 'poll' | 'woken' | 'write' | 'busy' | null {
  const nrs = SYSCALLS[process.arch]
  if (!nrs) return null
  let text: string
  try { text = fs.readFileSync(`/proc/${pid}/syscall`, 'utf8') } catch { return null }
  const nr = Number(text.split(' ')[0])
  if (!Number.isInteger(nr)) return 'busy'  // "running"
  if (nrs.write.includes(nr)) return 'write'
  if (!nrs.poll.includes(nr)) return 'busy'
  // In epoll_wait but runnable (state R): woken by events it has not read yet. A SIGINT now makes
  // that epoll_wait return them with the exit flag set; the loop returns unread, the perf fd's
  // wakeup is spent, and the drain after END misses them (seen: the last 4 printf lines lost, the
  // maps complete). Only a sleeping poll (S) has nothing pending.
  return procState(pid) === 'S' ? 'poll' : 'woken'
}

/** The one-letter state of pid (R, S, D, ...), null when unknown. */
function procState(pid: number): string | null {
  try {
    const st = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
    return st.slice(st.lastIndexOf(')') + 2, st.lastIndexOf(')') + 3)
  } catch { return null }
}

/** utime + stime of pid in clock ticks, null when unknown. */
function cpuTicks(pid: number): number | null {
  try {
    const st = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
    const f = st.slice(st.lastIndexOf(')') + 2).split(' ')  // fields from 3 (state) on
    return Number(f[11]) + Number(f[12])
  } catch { return null }
}

export function spawnBpftrace(opts: BpftraceProcessOptions): BpftraceProcess {
  const maxLine = opts.maxLineBytes ?? 8 * 1024 * 1024
  const maxErr = opts.stderrBytes ?? 16384
  const killAfterMs = opts.killAfterMs ?? 10_000
  const maxKillAfterMs = Math.max(killAfterMs, opts.maxKillAfterMs ?? 60_000)
  const child = spawn(opts.bin ?? 'bpftrace', opts.args, { stdio: ['ignore', 'pipe', 'pipe'], env: opts.env })
  const notes: string[] = []
  let stderr = '', interrupts = 0, closed = false, stopping = false
  let timer: NodeJS.Timeout | undefined
  live.add(child)
  if (!exitHook) {
    exitHook = true
    process.once('exit', () => { for (const c of live) try { c.kill('SIGKILL') } catch { /* gone */ } })
  }
  if (opts.ref === false) { child.unref(); (child.stdout as any).unref?.(); (child.stderr as any).unref?.() }

  let buf = '', skipping = false
  const emit = (line: string): void => { try { opts.onLine(line) } catch { /* a consumer's error must not stop the reading */ } }
  child.stdout.setEncoding('utf8')
  child.stdout.on('data', (d: string) => {
    buf += d
    let i
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i)
      buf = buf.slice(i + 1)
      if (skipping) { skipping = false; continue }
      emit(line)
    }
    if (buf.length > maxLine) { buf = ''; skipping = true; notes.push(`an output line over ${maxLine} bytes was dropped`) }
  })
  child.stderr.setEncoding('utf8')
  child.stderr.on('data', (d: string) => { if (stderr.length < maxErr) stderr += d.slice(0, maxErr - stderr.length) })

  const exited = new Promise<BpftraceExit>((resolve) => {
    const done = (code: number | null, signal: NodeJS.Signals | null, error?: Error): void => {
      if (closed) return
      closed = true
      live.delete(child)
      clearTimeout(timer)
      if (buf && !skipping) emit(buf)
      buf = ''
      resolve({ code, signal, stderr, error, notes, interrupts })
    }
    child.on('error', (e) => done(null, null, e))
    child.on('close', (code, signal) => done(code, signal))
  })

  const send = (sig: NodeJS.Signals): void => { try { child.kill(sig) } catch { /* gone */ } }
  function stop(): Promise<BpftraceExit> {
    if (stopping || closed || child.pid === undefined) return exited
    stopping = true
    const t0 = Date.now()
    let lastSignalMs = -Infinity, lastCpu = -1, lastProgressMs = t0, extended = false, sawWoken = false
    const tick = (): void => {
      if (closed) return
      const now = Date.now()
      const state = pollState(child.pid!)
      const cpu = cpuTicks(child.pid!)
      if (cpu !== null && cpu > lastCpu) { if (lastCpu >= 0) lastProgressMs = now; lastCpu = cpu }
      if (state === 'woken') sawWoken = true
      if (now - t0 >= killAfterMs) {
        // Still working (CPU time rising in the last 2 s, or blocked writing to us) is not stuck:
        // measured, loop-lag-stacks symbolizing ustack()s took > 10 s after a SIGINT at load 5
        // (bpftrace 0.17 without its user-symbol cache, which the one-liner now sets; a user's
        // own ustack program may still run without it). Up to maxKillAfterMs.
        // (in any state: back in epoll_wait right after such work it gets its SIGINT repeated below)
        const working = now - lastProgressMs < 2000 || state === 'write'
        if (working && now - t0 < maxKillAfterMs) {
          if (!extended) { extended = true; notes.push(`bpftrace still busy ${killAfterMs / 1000} s after stop: waited on`) }
        } else {
          notes.push(`bpftrace did not exit ${((now - t0) / 1000).toFixed(1)} s after stop (${interrupts} SIGINT${working ? '' : ', not working'}): killed, its maps are lost`)
          send('SIGKILL')
          return
        }
      }
      if (now - lastSignalMs >= 1000) {
        const printing = !sawWoken && now - lastProgressMs < 2000
        if (state === 'poll' || (state === 'woken' && interrupts > 0) ||
            (state !== 'write' && state !== null && interrupts === 0 && now - t0 >= (printing ? killAfterMs : 3000))) {
          // A first SIGINT only while it sleeps in its poll. Never found asleep: after 3 s when
          // it was seen woken in epoll_wait (flooded with events: it may never sleep) or is not
          // using CPU; at the kill deadline while it works outside its poll without ever being
          // seen there: a backlog being printed (measured: 4-7 s of uncached ustack symbolization after
          // the last lag spike), and a SIGINT then drops the events it has not printed yet
          // (seen: 1 of 3 loop-lag-stacks printf lines, @spikes = 3). Repeats also while woken.
          // (never while it writes: that is our pipe to drain, and the signal would cut the write)
          if (interrupts === 1) notes.push('bpftrace still polled 1 s after SIGINT: SIGINT repeated')
          send('SIGINT'); interrupts++; lastSignalMs = now
        } else if (state === null) {
          if (interrupts === 0) { send('SIGINT'); interrupts++ } else { send('SIGSTOP'); send('SIGCONT') }
          lastSignalMs = now
        }
      }
      timer = setTimeout(tick, 50) // held open even with ref: false: a stop is awaited and bounded
    }
    tick()
    return exited
  }
  return { pid: child.pid, exited, stop, running: () => !closed, stderr: () => stderr }
}

let markers = 0
/** A marker unique to this process and call, for withReadyMarker. */
export function readyMarker(): string {
  return `SONDE_READY_${process.pid}_${++markers}_${Math.random().toString(36).slice(2, 8)}`
}

/**
 * The program with a BEGIN action printing `marker` first. bpftrace runs BEGIN only after every
 * probe is attached ("Attaching N probes" comes before the attaching; a USDT semaphore can be
 * raised before its uprobe is in place), so the marker is the moment events are seen. bpftrace
 * allows one BEGIN: an existing one gets the printf at the top of its action.
 */
export function withReadyMarker(program: string, marker: string): string {
  const print = `printf("${marker}\\n");`
  const begin = /(^|[\s;}])BEGIN\s*\{/
  return begin.test(program) ? program.replace(begin, (m) => `${m} ${print}`) : `BEGIN { ${print} }\n${program}`
}
