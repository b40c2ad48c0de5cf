// Sonde-enabled processes on this host: every in-process dashboard writes a small file
// <runtime dir>/<pid>.json ({pid, port, host, title, startedMs, token?}) and removes it at exit.
// The runtime dir is $XDG_RUNTIME_DIR/sonde or /tmp/sonde-<uid>, created 0700 (files 0600, as
// they may hold a token). The standalone dashboard lists them (dropping files of dead pids).
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

export interface ProcessEntry { pid: number; port: number; host: string; title: string; startedMs: number; token?: string }

export function runtimeDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.SONDE_RUNTIME_DIR) return env.SONDE_RUNTIME_DIR
  if (env.XDG_RUNTIME_DIR) return path.join(env.XDG_RUNTIME_DIR, 'sonde')
  const uid = typeof process.getuid === 'function' ? process.getuid() : os.userInfo().username
  return path.join(os.tmpdir(), `sonde-${uid}`)
}

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM' }
}

/** Registers this process; returns the function that unregisters it (also run at exit). */
export function registerProcess(entry: Omit<ProcessEntry, 'pid' | 'startedMs' | 'title'> & { title?: string }): () => void {
  const dir = runtimeDir()
  const file = path.join(dir, `${process.pid}.json`)
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 })
    // title after the spread: an explicit `title: undefined` must not erase the default.
    const full: ProcessEntry = { ...entry, pid: process.pid, startedMs: Date.now(), title: entry.title ?? process.argv.slice(1).join(' ').slice(0, 200) }
    fs.writeFileSync(file, JSON.stringify(full), { mode: 0o600 })
  } catch { return () => {} }
  const remove = () => { try { fs.unlinkSync(file) } catch { /* gone */ } }
  process.once('exit', remove)
  return () => { process.off('exit', remove); remove() }
}

/** Live registered processes (other than this one), oldest first. */
export function listProcesses(): ProcessEntry[] {
  const dir = runtimeDir()
  let names: string[]
  try { names = fs.readdirSync(dir) } catch { return [] }
  const out: ProcessEntry[] = []
  for (const n of names) {
    if (!/^\d+\.json$/.test(n)) continue
    const file = path.join(dir, n)
    try {
      const e = JSON.parse(fs.readFileSync(file, 'utf8')) as ProcessEntry
      if (!Number.isInteger(e.pid) || !Number.isInteger(e.port)) continue
      if (!alive(e.pid)) { try { fs.unlinkSync(file) } catch { /* raced */ } continue }
      if (e.pid !== process.pid) out.push(e)
    } catch { /* half-written or foreign file */ }
  }
  return out.sort((a, b) => a.startedMs - b.startedMs)
}
