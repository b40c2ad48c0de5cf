// Drives test/probes/dynamic-child.ts and real bpftrace for the dynamic-provider tests.
import { spawn, type ChildProcess } from 'node:child_process'
import path from 'node:path'
import readline from 'node:readline'

const root = path.resolve(__dirname, '..', '..')

export interface Child { proc: ChildProcess; pid: number; send(cmd: string): Promise<any>; next(): Promise<any>; close(): void }

export function startChild(provider: string, env: Record<string, string> = {}): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'dynamic-child.ts'), provider], {
    cwd: root, env: { ...process.env, ...env }, stdio: ['pipe', 'pipe', 'inherit'],
  })
  const waiting: ((v: any) => void)[] = []
  const queued: any[] = []
  readline.createInterface({ input: proc.stdout! }).on('line', (l) => {
    const w = waiting.shift()
    if (w) w(JSON.parse(l)); else queued.push(JSON.parse(l))
  })
  const next = (what = 'a reply') => new Promise<any>((resolve, reject) => {
    if (queued.length) return resolve(queued.shift())
    const t = setTimeout(() => reject(new Error(`child: no ${what}`)), 30000)
    waiting.push((v) => { clearTimeout(t); resolve(v) })
  })
  return {
    proc, pid: proc.pid!, next,
    send(cmd) { proc.stdin!.write(cmd + '\n'); return next(`reply to ${cmd}`) },
    close() { try { proc.kill('SIGKILL') } catch { /* gone */ } },
  }
}

export interface Trace { lines: string[]; stop(): Promise<string[]>; ready: Promise<void> }

/** Starts bpftrace; `ready` resolves once it printed "Attaching N probe(s)". */
export function startBpftrace(args: string[], env: Record<string, string> = {}): Trace {
  const bt = spawn('bpftrace', args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  const lines: string[] = []
  let err = ''
  let onReady: () => void = () => {}
  let onFail: (e: Error) => void = () => {}
  const ready = new Promise<void>((res, rej) => { onReady = res; onFail = rej })
  ready.catch(() => undefined) // awaited by the tests that need it; never an unhandled rejection
  const timer = setTimeout(() => onFail(new Error(`bpftrace did not attach: ${err}`)), 60000)
  readline.createInterface({ input: bt.stdout! }).on('line', (l) => {
    if (/^Attaching \d+ probes?/.test(l)) { clearTimeout(timer); setTimeout(onReady, 300) } else if (l !== '') lines.push(l)
  })
  bt.stderr!.on('data', (d) => { err += d })
  bt.on('exit', () => { clearTimeout(timer); onFail(new Error(`bpftrace exited: ${err}`)) })
  return {
    lines, ready,
    stop() {
      // bpftrace 0.17 sometimes ignores a SIGINT (seen here: still in its poll loop minutes later,
      // a second SIGINT ends it): repeat it every 2 s, SIGKILL after 20 s.
      return new Promise((resolve) => {
        if (bt.exitCode !== null || bt.signalCode !== null) return resolve(lines)
        const timers: NodeJS.Timeout[] = []
        bt.on('exit', () => { timers.forEach(clearTimeout); resolve(lines) })
        for (let t = 300; t < 20000; t += 2000) timers.push(setTimeout(() => bt.kill('SIGINT'), t))
        timers.push(setTimeout(() => bt.kill('SIGKILL'), 20000))
      })
    },
  }
}

/** A bpftrace expression reading a stapsdt argument spec such as "-1@48(%rsp)" or "8@%rdi" through
 * reg(): bpftrace 0.17 exposes only arg0-arg5 on x86-64 (bpftrace issue #3605, fixed in PR #4118). */
export function specToExpr(spec: string, index: number): string {
  const m = /^(-?)(\d)@(?:(-?\d+)\(%(\w+)\)|%(\w+))$/.exec(spec)
  if (!m) throw new Error(`unexpected arg spec ${spec}`)
  const type = `${m[1] ? 'int' : 'uint'}${Number(m[2]) * 8}`
  if (m[5]) return index < 6 ? `arg${index}` : `(${type})reg("${m[5].replace(/^r/, '')}")`
  return `*(${type}*)(reg("${m[4].replace(/^r/, '')}")+${m[3]})`
}
