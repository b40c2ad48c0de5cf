// A real tracing session for the e2e-* tests: a workload app under `node -r <abs>/dist/register.js`
// (fixtures/apps/trace-control.js), bpftrace attached with -p PID, the app's RESULT and its
// semaphore print-outs before attach, during, and after bpftrace detached. bpftrace runs through
// test/support/bpftrace.ts: the app gets `go` only after its READY handshake (every uprobe attached).
import { spawn } from 'node:child_process'
import path from 'node:path'
import { apps, dist, register } from './run-app'
import { startBpftrace, type Bpftrace } from './bpftrace'

export interface Session {
  result: any
  /** bpftrace's stdout lines */
  trace: string[]
  sem: { before: any; during: any; after: any }
  appStdout: string
  appStderr: string
}

function lines(stream: NodeJS.ReadableStream, onLine: (l: string) => void): void {
  let buf = ''
  stream.setEncoding('utf8')
  stream.on('data', (d: string) => {
    buf += d
    let i
    while ((i = buf.indexOf('\n')) >= 0) { onLine(buf.slice(0, i)); buf = buf.slice(i + 1) }
  })
}

export interface TraceOptions {
  nodeArgs?: string[]
  /** Run node under `stdbuf -oL` so V8's own stdout lines (--trace-gc) keep their order with the app's. */
  lineBuffered?: boolean
  timeoutMs?: number
}

export function traceApp(app: string, env: Record<string, string>, script: string, opts: TraceOptions = {}): Promise<Session> {
  const { nodeArgs = [], lineBuffered = false, timeoutMs = 90_000 } = opts
  const argv = [process.execPath, '-r', register, ...nodeArgs, path.join(apps, app)]
  if (lineBuffered) argv.unshift('stdbuf', '-oL')  // stdbuf execs node: same pid
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), {
      env: { ...process.env, SONDE_DIST: dist, SONDE_COLLECT: 'none', ...env }, stdio: ['pipe', 'pipe', 'pipe'],
    })
    const s: Session = { result: undefined, trace: [], sem: { before: undefined, during: undefined, after: undefined }, appStdout: '', appStderr: '' }
    let bt: Bpftrace | undefined
    const bpfErr = (): string => bt ? ` [bpftrace stderr: ${bt.stderr().trim()}]` : ''
    child.stdin!.on('error', () => { /* the app already exited */ })
    const timer = setTimeout(() => { child.kill('SIGKILL'); void bt?.stop(); reject(new Error(`timeout; app: ${s.appStdout.slice(-500)} ${s.appStderr.slice(-500)}${bpfErr()}`)) }, timeoutMs)
    child.stderr!.setEncoding('utf8')
    child.stderr!.on('data', (d) => { s.appStderr += d })
    lines(child.stdout!, (l) => {
      s.appStdout += l + '\n'
      const m = /^SEM (before|during|after) (.*)$/.exec(l)
      if (m) {
        s.sem[m[1] as 'before'] = JSON.parse(m[2])
        if (m[1] === 'before') {
          bt = startBpftrace(script, { pid: child.pid })
          s.trace = bt.lines
          bt.ready.then(() => child.stdin!.write('go\n'), (e: Error) => {
            child.kill('SIGKILL')  // never attached: the app would wait for `go` forever
            reject(e)
          })
        }
      } else if (l.startsWith('RESULT ')) {
        s.result = JSON.parse(l.slice(7))
        // let bpftrace drain its perf buffer before detaching; the app prints SEM after once it left
        // (a bpftrace that had to be SIGKILLed leaves the semaphores set: the 'after' check fails loudly)
        setTimeout(() => { void bt?.stop().then(() => child.stdin!.write('exit\n')) }, 500)
      }
    })
    child.on('exit', (code) => {
      clearTimeout(timer)
      if (code !== 0) reject(new Error(`app exited ${code}: ${s.appStderr.slice(-2000)}${bpfErr()}`))
      else resolve(s)
    })
  })
}
