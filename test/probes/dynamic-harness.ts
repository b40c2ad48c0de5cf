// Drives test/probes/dynamic-child.ts for the dynamic-provider tests (bpftrace itself runs through
// test/support/bpftrace.ts).
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

/** A bpftrace expression reading a stapsdt argument spec such as "-1@48(%rsp)" or "8@%rdi" through
 * reg(): bpftrace 0.17 exposes only arg0-arg5 on x86-64 (bpftrace issue #3605, fixed in PR #4118). */
export function specToExpr(spec: string, index: number): string {
  const m = /^(-?)(\d)@(?:(-?\d+)\(%(\w+)\)|%(\w+))$/.exec(spec)
  if (!m) throw new Error(`unexpected arg spec ${spec}`)
  const type = `${m[1] ? 'int' : 'uint'}${Number(m[2]) * 8}`
  if (m[5]) return index < 6 ? `arg${index}` : `(${type})reg("${m[5].replace(/^r/, '')}")`
  return `*(${type}*)(reg("${m[4].replace(/^r/, '')}")+${m[3]})`
}
