// Sonde-enabled processes on this host: every in-process dashboard writes a small file
// <runtime dir>/<pid>.json ({pid, port, host, title, startedMs, token?}) and removes it at exit.
// The directory is checked before each use (runtime-dir.ts). The standalone dashboard lists
// the entries and proxies to them, so each is validated before use: a regular file owned by
// this uid, named for its own pid, a live process owned by this uid, a port on loopback (or a
// wildcard bind, reached through 127.0.0.1). Files of dead pids are removed.
import fs from 'node:fs'
import path from 'node:path'
import { isLoopbackHost } from './listen-safety'
import { myUid, openRuntimeDir, readOwnFile, writeFileAtomic } from './runtime-dir'

export { runtimeDir } from './runtime-dir'

export interface ProcessEntry { pid: number; port: number; host: string; title: string; startedMs: number; token?: string }

const MAX_ENTRY_BYTES = 16 * 1024

/** alive: the pid exists; mine: it runs as this uid (kill(0) succeeds for root on anyone's pid). */
function processOf(pid: number): { alive: boolean; mine: boolean } {
  try { process.kill(pid, 0) } catch (e) {
    const alive = (e as NodeJS.ErrnoException).code === 'EPERM'
    return { alive, mine: false }
  }
  if (myUid === undefined) return { alive: true, mine: true }
  try { return { alive: true, mine: fs.statSync(`/proc/${pid}`).uid === myUid } } catch { return { alive: true, mine: myUid !== 0 } }
}

/** The address to connect to for an entry's host: loopback names as is, wildcards via 127.0.0.1/::1. */
export function loopbackAddress(host: string): string | undefined {
  if (host === '0.0.0.0') return '127.0.0.1'
  if (host === '::') return '::1'
  return isLoopbackHost(host) ? host : undefined
}

function parseEntry(name: string, text: string): ProcessEntry | undefined {
  let e: Partial<ProcessEntry>
  try { e = JSON.parse(text) as Partial<ProcessEntry> } catch { return undefined }
  if (!e || typeof e !== 'object' || e.pid !== Number(name.slice(0, -5))) return undefined
  if (!Number.isInteger(e.port) || e.port! < 1 || e.port! > 65535) return undefined
  if (typeof e.host !== 'string' || loopbackAddress(e.host) === undefined) return undefined
  if (e.token !== undefined && typeof e.token !== 'string') return undefined
  return { pid: e.pid!, port: e.port!, host: e.host, title: typeof e.title === 'string' ? e.title : '', startedMs: Number(e.startedMs) || 0, ...(e.token !== undefined ? { token: e.token } : {}) }
}

/** Registers this process; returns the function that unregisters it (also run at exit). */
export function registerProcess(entry: Omit<ProcessEntry, 'pid' | 'startedMs' | 'title'> & { title?: string }): () => void {
  const dir = openRuntimeDir(true)
  if (!dir) return () => {}
  const name = `${process.pid}.json`
  try {
    // title after the spread: an explicit `title: undefined` must not erase the default.
    const full: ProcessEntry = { ...entry, pid: process.pid, startedMs: Date.now(), title: entry.title ?? process.argv.slice(1).join(' ').slice(0, 200) }
    writeFileAtomic(dir, name, JSON.stringify(full))
  } catch { return () => {} }
  const remove = () => { try { fs.unlinkSync(path.join(dir, name)) } catch { /* gone */ } }
  process.once('exit', remove)
  return () => { process.off('exit', remove); remove() }
}

/** Live registered processes of this uid (other than this one) that pass validation, oldest first. */
export function listProcesses(): ProcessEntry[] {
  const dir = openRuntimeDir(false)
  if (!dir) return []
  let names: string[]
  try { names = fs.readdirSync(dir) } catch { return [] }
  const out: ProcessEntry[] = []
  for (const n of names) {
    if (!/^\d+\.json$/.test(n)) continue
    const text = readOwnFile(dir, n, MAX_ENTRY_BYTES)
    const e = text === undefined ? undefined : parseEntry(n, text)
    if (!e) continue
    const p = processOf(e.pid)
    if (!p.alive) { try { fs.unlinkSync(path.join(dir, n)) } catch { /* raced */ } continue }
    if (p.mine && e.pid !== process.pid) out.push(e)
  }
  return out.sort((a, b) => a.startedMs - b.startedMs)
}
