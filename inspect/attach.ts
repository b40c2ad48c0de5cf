// `sonde attach PID`: load sonde into a running Node.js process that was started without it,
// through the inspector, then close the inspector again:
//   1. checks: the PID is a live Node process we may signal, sonde is not loaded already;
//   2. SIGUSR1 (what process._debugProcess(pid) sends): Node opens its inspector, by default
//      on 127.0.0.1:9229, on its main thread; the port is found from the process's own sockets;
//   3. an agent process (attach-agent.ts) evaluates require(<abs dist/register.js>) in the
//      target and, when we opened the inspector, has the same expression schedule
//      require('inspector').close(); we wait until the port has no LISTEN socket.
// A target whose main thread is blocked runs none of this until it next runs. The load
// carries a deadline the target checks itself, so when we report a timeout, sonde does not
// load later; the agent is detached and stays (until the target runs, exits, or the guard
// time ends) to close the inspector then. Every failure is one line (AttachError/TargetError).
import { spawn, type ChildProcess } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { inspectTarget, TargetError } from './target-process'
import { alive, findInspector, listeningPorts } from './inspector-port'
import type { AgentPlan } from './attach-agent'

export { listeningPorts } from './inspector-port'

export class AttachError extends Error { override readonly name = 'AttachError' }

export interface AttachResult {
  pid: number
  /** 'attached', or 'already' when sonde was loaded before. */
  outcome: 'attached' | 'already'
  port?: number
  /** The inspector was open before we came (e.g. --inspect): left open. */
  inspectorWasOpen?: boolean
  inspectorClosed?: boolean
}

export interface AttachOptions {
  registerPath?: string
  /** How long the target has to start loading sonde (ms, default 10 000). */
  timeoutMs?: number
  /** How long the agent stays to close an inspector that opens or answers late (ms, default 10 min). */
  guardMs?: number
  signal?: AbortSignal
}

const ROOT = (() => {
  const up = path.resolve(__dirname, '..')
  return path.basename(up) === 'dist' ? path.dirname(up) : up
})()
export const registerPath = path.join(ROOT, 'dist', 'register.js')
const agentPath = path.join(ROOT, 'dist', 'inspect', 'attach-agent.js')
/** After the deadline: time for a load the target started just before it to answer. */
const GRACE_MS = 3000
/** After the answer: time for the target's scheduled close to take effect. */
const CLOSE_WAIT_MS = 5000

function uidOf(pid: number): number | null {
  try {
    const m = /^Uid:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Number(m[1]) : null
  } catch { return null }
}

interface AgentState { port?: number; sent?: string; value?: unknown; fail?: string; closed?: boolean; exited?: boolean }

/** Starts the detached agent; `wait(pred, until)` resolves once pred holds, the time passes, it exits or `signal` aborts. */
function startAgent(plan: AgentPlan, signal?: AbortSignal) {
  const child: ChildProcess = spawn(process.execPath, [agentPath], {
    detached: true, stdio: ['pipe', 'pipe', 'ignore'],
    env: { PATH: process.env.PATH ?? '', SONDE_ATTACH_PLAN: JSON.stringify(plan) },
  })
  const state: AgentState = {}
  let wake = () => {}
  let buf = ''
  child.stdout!.setEncoding('utf8').on('data', (d: string) => {
    buf += d
    for (let i = buf.indexOf('\n'); i >= 0; i = buf.indexOf('\n')) {
      try { Object.assign(state, JSON.parse(buf.slice(0, i))) } catch { /* not ours */ }
      buf = buf.slice(i + 1)
    }
    wake()
  })
  child.on('exit', () => { state.exited = true; wake() })
  child.on('error', () => { state.exited = true; wake() })
  signal?.addEventListener('abort', () => wake())
  const release = () => { child.stdin!.end(); child.unref(); (child.stdout as unknown as { unref(): void }).unref() }
  const wait = (pred: (s: AgentState) => boolean, until: number) => new Promise<void>((resolve) => {
    const check = () => { if (pred(state) || state.exited || signal?.aborted || Date.now() >= until) { clearTimeout(t); resolve() } }
    const t = setTimeout(check, Math.max(0, until - Date.now()))
    wake = check
    check()
  })
  return { state, wait, release, pid: child.pid }
}

/** Load sonde into PID (see the header). Throws TargetError/AttachError with one line. */
export async function attachSonde(pid: number, opts: AttachOptions = {}): Promise<AttachResult> {
  const reg = opts.registerPath ?? registerPath
  const timeoutMs = opts.timeoutMs ?? 10_000
  const info = inspectTarget(pid)
  const uid = uidOf(pid), me = process.getuid?.() ?? 0
  if (me !== 0 && uid !== null && uid !== me) throw new TargetError(`process ${pid} belongs to uid ${uid}: run sonde attach as root or as that user`)
  if (info.sondeLoaded) return { pid, outcome: 'already' }
  for (const f of [reg, agentPath]) if (!fs.existsSync(f)) throw new AttachError(`${f} is missing: build sonde first (npx tsc -p tsconfig.json)`)
  const wasOpen = (await findInspector(pid, 0)) !== null
  if (!wasOpen) {
    try { process.kill(pid, 'SIGUSR1') } catch (e) {
      const code = (e as NodeJS.ErrnoException).code
      throw new TargetError(code === 'EPERM' ? `not permitted to signal process ${pid}: run as root or as its user` : `process ${pid} does not exist (dead PID?)`)
    }
  }
  const start = Date.now(), deadline = start + timeoutMs
  const agent = startAgent({ pid, registerPath: reg, deadline, close: !wasOpen, guardUntil: start + (opts.guardMs ?? 600_000) }, opts.signal)
  try {
    const s = agent.state
    await agent.wait((x) => x.value !== undefined || x.fail !== undefined, deadline + GRACE_MS)
    if (s.value === 'loaded' || s.value === 'already') await agent.wait((x) => wasOpen || x.closed !== undefined, Date.now() + CLOSE_WAIT_MS)
    if (!alive(pid)) throw new TargetError(`process ${pid} exited during attach`)
    if (opts.signal?.aborted && s.value === undefined && s.fail === undefined && !inspectTarget(pid).sondeLoaded) {
      const late = s.sent === 'load' ? `a load already sent still runs if the process reaches it before ${new Date(deadline).toISOString()}` : 'sonde was not loaded and will not be'
      throw new AttachError(`interrupted: ${late}; ${closingNote(s, wasOpen, agent.pid)}`)
    }
    return outcome(pid, s, wasOpen, agent.pid, timeoutMs)
  } finally { agent.release() }
}

function closingNote(s: AgentState, wasOpen: boolean, guard: number | undefined): string {
  return wasOpen ? 'the inspector was open before: left open'
    : s.port === undefined ? `if it opens the inspector later, the guard process ${guard} closes it`
      : `the inspector (port ${s.port}) closes when the process next runs (guard process ${guard})`
}

function outcome(pid: number, s: AgentState, wasOpen: boolean, guard: number | undefined, timeoutMs: number): AttachResult {
  const closing = closingNote(s, wasOpen, guard)
  if (s.fail !== undefined) throw new AttachError(`loading sonde into ${pid} failed: ${s.fail}`)
  if (s.value === 'not-installed') throw new AttachError(`loaded the register module into ${pid} but sonde did not install (NODE_DEBUG=sonde in the target says why); ${closing}`)
  const loaded = s.value === 'loaded' || s.value === 'already' || inspectTarget(pid).sondeLoaded
  if (!loaded) {
    const why = s.port === undefined ? `process ${pid} opened no inspector after SIGUSR1 within ${timeoutMs / 1000} s (main thread blocked, --disable-sigusr1 or --inspect-port in use, a SIGUSR1 handler, a policy, or a Node built without inspector)`
        : `process ${pid} did not run the load within ${timeoutMs / 1000} s (main thread blocked?)`
    throw new AttachError(`${why}: sonde was not loaded and will not be; ${closing}`)
  }
  const result: AttachResult = { pid, outcome: s.value === 'already' ? 'already' : 'attached', port: s.port, inspectorWasOpen: wasOpen }
  if (!wasOpen) result.inspectorClosed = s.port !== undefined && !listeningPorts(pid).includes(s.port)
  return result
}
