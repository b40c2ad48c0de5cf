// Starts a real `sonde demo` (the built bin, like `npm start`) on a free port and returns its
// dashboard URL; stop() sends SIGINT (Ctrl-C) and waits for the exit code. The demo gets
// DEMO_TOKEN through SONDE_TOKEN (as root with bpftrace it can start programs, so it always has a
// token): `pageUrl` carries it in the #fragment for the browser, getJson sends it as the header.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process'
import path from 'node:path'

export const root = path.resolve(__dirname, '../../..')

export const DEMO_TOKEN = 'demo-test-token-0123456789abcdef'
export const authHeader = { authorization: `Bearer ${DEMO_TOKEN}` }

export interface DemoChild { url: string; pageUrl: string; pid: number; proc: ChildProcess; output(): string; stop(): Promise<number | null> }

export function startDemoChild(args: string[] = [], env: NodeJS.ProcessEnv = {}, spawnOptions: Pick<SpawnOptions, 'uid' | 'gid'> = {}, nodeArgs: string[] = []): Promise<DemoChild> {
  const proc = spawn(process.execPath, [...nodeArgs, path.join(root, 'bin/sonde.js'), 'demo', '--port', '0', ...args], { cwd: root, env: { ...process.env, SONDE_TOKEN: DEMO_TOKEN, ...env }, stdio: ['ignore', 'pipe', 'pipe'], ...spawnOptions })
  let out = ''
  proc.stdout!.on('data', (d) => { out += d })
  proc.stderr!.on('data', (d) => { out += d })
  const exited = new Promise<number | null>((r) => proc.on('exit', (code) => r(code)))
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { proc.kill('SIGKILL'); reject(new Error(`demo did not print its URL in 30 s:\n${out}`)) }, 30_000)
    const check = () => {
      const m = /dashboard on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(out)
      if (!m) return
      clearTimeout(timer)
      proc.stdout!.off('data', check)
      resolve({
        url: m[1], pageUrl: `${m[1]}#token=${DEMO_TOKEN}`, pid: proc.pid!, proc, output: () => out,
        stop: async () => { if (proc.exitCode === null) proc.kill('SIGINT'); const t = setTimeout(() => proc.kill('SIGKILL'), 10_000); const c = await exited; clearTimeout(t); return c },
      })
    }
    proc.stdout!.on('data', check)
    proc.on('exit', (code) => { clearTimeout(timer); reject(new Error(`demo exited ${code} early:\n${out}`)) })
  })
}

export async function getJson<T>(url: string, headers: Record<string, string> = authHeader): Promise<T> {
  const res = await fetch(url, { headers })
  if (!res.ok) throw new Error(`${url}: ${res.status}`)
  return res.json() as Promise<T>
}
