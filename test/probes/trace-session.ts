// A real tracing session for the e2e-* tests: a workload app under `node -r <abs>/dist/register.js`
// (fixtures/apps/trace-control.js), bpftrace attached with -p PID, the app's RESULT and its
// semaphore print-outs before attach, during, and after bpftrace detached. Start is a handshake,
// not a sleep: the script gets a BEGIN probe printing READY (bpftrace runs BEGIN after every
// uprobe is attached), and only then the test writes `go` to the app.
import { spawn } from 'node:child_process'
import path from 'node:path'
import { apps, dist, register } from './run-app'

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
    let bpf: ReturnType<typeof spawn> | undefined
    let bpfErr = ''
    let begun = false
    child.stdin!.on('error', () => { /* the app already exited */ })
    const timer = setTimeout(() => { child.kill('SIGKILL'); bpf?.kill('SIGKILL'); reject(new Error(`timeout; app: ${s.appStdout.slice(-500)} ${s.appStderr.slice(-500)} bpftrace: ${bpfErr}`)) }, timeoutMs)
    child.stderr!.setEncoding('utf8')
    child.stderr!.on('data', (d) => { s.appStderr += d })
    lines(child.stdout!, (l) => {
      s.appStdout += l + '\n'
      const m = /^SEM (before|during|after) (.*)$/.exec(l)
      if (m) {
        s.sem[m[1] as 'before'] = JSON.parse(m[2])
        if (m[1] === 'before') {
          bpf = spawn('bpftrace', ['-p', String(child.pid), '-e', `BEGIN { printf("READY\\n"); }\n${script}`], { stdio: ['ignore', 'pipe', 'pipe'] })
          lines(bpf.stdout!, (t) => { if (t === 'READY') { begun = true; child.stdin!.write('go\n') } else s.trace.push(t) })
          bpf.stderr!.setEncoding('utf8')
          bpf.stderr!.on('data', (d) => { bpfErr += d })
          bpf.on('exit', (c, sig) => {
            bpfErr += ` [bpftrace exit ${c} ${sig}]`
            if (begun) child.stdin!.write('exit\n')
            else child.kill('SIGKILL')  // never attached: the app would wait for `go` forever
          })
        }
      } else if (l.startsWith('RESULT ')) {
        s.result = JSON.parse(l.slice(7))
        // let bpftrace drain its perf buffer before detaching
        setTimeout(() => {
          bpf?.kill('SIGINT')
          // bpftrace normally detaches within a second; a stuck one must not hang the suite
          // (SIGKILL leaves the semaphores set, so the 'after' check then fails loudly).
          // Cleared explicitly when bpftrace exits: left to unref() it still held the test
          // process for the full 15 s here (Node 20.20; cause not pinned down).
          const stuck = setTimeout(() => { if (bpf && bpf.exitCode === null && bpf.signalCode === null) { bpfErr += ' [SIGKILL after 15 s]'; bpf.kill('SIGKILL') } }, 15_000)
          if (bpf && bpf.exitCode === null && bpf.signalCode === null) bpf.once('exit', () => clearTimeout(stuck))
          else clearTimeout(stuck)
        }, 500)
      }
    })
    child.on('exit', (code) => {
      clearTimeout(timer)
      if (code !== 0) reject(new Error(`app exited ${code}: ${s.appStderr.slice(-2000)}; bpftrace: ${bpfErr}`))
      else resolve(s)
    })
  })
}
