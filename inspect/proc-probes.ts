// The USDT probes a live process has, and which are enabled now, without bpftrace:
// /proc/PID/maps lists the mapped objects; each one's .note.stapsdt is read through
// /proc/PID/map_files/START-END (works for memfd-backed dynamic providers and deleted files),
// else its path, else the /proc/PID/fd entry pointing at it; each semaphore is read through
// /proc/PID/mem at its runtime address (the mapping that holds its file offset).
import fs from 'node:fs'
import { ElfError, readUsdtNotes } from './elf-notes'

export interface LiveProbe {
  provider: string
  name: string
  args: string
  /** Runtime address of the semaphore, or null when the probe has none. */
  semaphoreAddr: number | null
  /** Current semaphore value (tracers attached), null when it has none or it could not be read. */
  semaphore: number | null
  enabled: boolean
}

export interface LiveObject {
  /** The path /proc/PID/maps shows ("/memfd:sonde:myapp (deleted)" for memfd providers). */
  path: string
  /** A path a tracer can attach by. */
  attachPath: string
  kind: 'addon' | 'dynamic-memfd' | 'dynamic-file' | 'other'
  probes: LiveProbe[]
}

/** Thrown for a dead PID, a process we may not inspect, or one without sonde probes. */
export class ProcProbesError extends Error {}

interface Mapping { start: number; end: number; offset: number; inode: string; path: string; range: string }

function parseMaps(text: string): Mapping[] {
  const out: Mapping[] = []
  for (const line of text.split('\n')) {
    const m = /^([0-9a-f]+)-([0-9a-f]+) \S+ ([0-9a-f]+) \S+ (\d+)\s+(.*)$/.exec(line)
    if (!m || m[4] === '0' || !m[5].startsWith('/')) continue
    out.push({ start: parseInt(m[1], 16), end: parseInt(m[2], 16), offset: parseInt(m[3], 16), inode: m[4], path: m[5], range: `${m[1]}-${m[2]}` })
  }
  return out
}

function fdFor(pid: number, path: string): string | null {
  try {
    for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
      try { if (fs.readlinkSync(`/proc/${pid}/fd/${fd}`) === path.replace(/ \(deleted\)$/, '') || fs.readlinkSync(`/proc/${pid}/fd/${fd}`) === path) return `/proc/${pid}/fd/${fd}` } catch { /* closed meanwhile */ }
    }
  } catch { /* not permitted */ }
  return null
}

function readNotes(pid: number, maps: Mapping[]): { notes: ReturnType<typeof readUsdtNotes>; attachPath: string } | null {
  const first = maps[0]
  const deleted = first.path.endsWith(' (deleted)')
  const candidates = [`/proc/${pid}/map_files/${first.range}`, ...(deleted ? [] : [first.path])]
  const viaFd = deleted ? fdFor(pid, first.path) : null
  if (viaFd) candidates.push(viaFd)
  for (const c of candidates) {
    try {
      const notes = readUsdtNotes(c)
      return { notes, attachPath: deleted ? (viaFd ?? c) : first.path }
    } catch (e) {
      if (e instanceof ElfError) return null
    }
  }
  return null
}

function readU16(mem: number, addr: number): number | null {
  const b = Buffer.alloc(2)
  try { return fs.readSync(mem, b, 0, 2, addr) === 2 ? b.readUInt16LE(0) : null } catch { return null }
}

export function readProcessProbes(pid: number): LiveObject[] {
  if (!Number.isInteger(pid) || pid <= 0) throw new ProcProbesError(`invalid pid ${pid}`)
  let maps: string
  try { maps = fs.readFileSync(`/proc/${pid}/maps`, 'utf8') } catch (e) {
    const code = (e as NodeJS.ErrnoException).code
    if (code === 'ENOENT' || code === 'ESRCH') throw new ProcProbesError(`no process ${pid}`)
    throw new ProcProbesError(`not permitted to inspect process ${pid} (${code}); run as root or as its user`)
  }
  if (maps === '') throw new ProcProbesError(`not permitted to inspect process ${pid} (empty maps; a kernel thread or another user's process)`)
  const byObject = new Map<string, Mapping[]>()
  for (const m of parseMaps(maps)) {
    const key = `${m.inode} ${m.path}`
    const list = byObject.get(key)
    if (list) list.push(m); else byObject.set(key, [m])
  }
  let mem: number | null = null
  try { mem = fs.openSync(`/proc/${pid}/mem`, 'r') } catch { /* semaphores shown as unknown */ }
  const out: LiveObject[] = []
  try {
    for (const list of byObject.values()) {
      const r = readNotes(pid, list)
      if (!r || r.notes.length === 0) continue
      const path = list[0].path
      const probes = r.notes.map((n): LiveProbe => {
        const m = n.semaphoreOffset ? list.find((x) => n.semaphoreOffset >= x.offset && n.semaphoreOffset < x.offset + (x.end - x.start)) : undefined
        const addr = m ? m.start + n.semaphoreOffset - m.offset : null
        const value = addr !== null && mem !== null ? readU16(mem, addr) : null
        return { provider: n.provider, name: n.name, args: n.args, semaphoreAddr: addr, semaphore: value, enabled: (value ?? 0) > 0 }
      })
      const kind = path.startsWith('/memfd:sonde:') ? 'dynamic-memfd'
        : /\/sonde\/providers\/[0-9a-f]+\.so$/.test(path) ? 'dynamic-file'
          : probes.some((p) => p.provider === 'sonde') ? 'addon' : 'other'
      out.push({ path, attachPath: r.attachPath, kind, probes })
    }
  } finally { if (mem !== null) fs.closeSync(mem) }
  if (!out.some((o) => o.kind !== 'other')) throw new ProcProbesError(`process ${pid} has no sonde probes (not started with -r sonde/register and no dynamic providers)`)
  return out
}
