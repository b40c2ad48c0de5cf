// Reads the USDT probes of an ELF object: its `.note.stapsdt` notes (sys/sdt.h format: owner
// "stapsdt", type 3, desc = pc, .stapsdt.base address, semaphore address, "provider\0name\0args\0"),
// plus what is needed to find a semaphore in a running process: the file offset of each
// semaphore (through the section or PT_LOAD that holds it). Reads only headers and the note
// section, never the whole file (node itself is ~100 MB). ELF64 little-endian only.
import fs from 'node:fs'

export interface UsdtNote {
  provider: string
  name: string
  /** Link-time addresses. */
  pc: number
  base: number
  semaphore: number
  /** File offset of the semaphore (0 when the probe has none or it is not file-backed). */
  semaphoreOffset: number
  args: string
}

export class ElfError extends Error {}

function readAt(fd: number, pos: number, len: number): Buffer {
  const b = Buffer.alloc(len)
  const n = fs.readSync(fd, b, 0, len, pos)
  if (n !== len) throw new ElfError(`short read at ${pos}`)
  return b
}

interface Region { addr: number; offset: number; size: number }

/** Notes of the object at `file` (a path, /proc/PID/map_files/... or /proc/PID/fd/N). [] when none. */
export function readUsdtNotes(file: string): UsdtNote[] {
  const fd = fs.openSync(file, 'r')
  try {
    const h = readAt(fd, 0, 64)
    if (h.readUInt32BE(0) !== 0x7f454c46) throw new ElfError(`${file}: not an ELF file`)
    if (h[4] !== 2 || h[5] !== 1) throw new ElfError(`${file}: only ELF64 little-endian is supported`)
    const phoff = Number(h.readBigUInt64LE(32)), shoff = Number(h.readBigUInt64LE(40))
    const phnum = h.readUInt16LE(56), shentsize = h.readUInt16LE(58), shnum = h.readUInt16LE(60), shstrndx = h.readUInt16LE(62)
    const loads: Region[] = []
    const notes: Region[] = []
    if (phnum) {
      const ph = readAt(fd, phoff, 56 * phnum)
      for (let i = 0; i < phnum; i++) {
        const o = 56 * i, type = ph.readUInt32LE(o)
        const r = { offset: Number(ph.readBigUInt64LE(o + 8)), addr: Number(ph.readBigUInt64LE(o + 16)), size: Number(ph.readBigUInt64LE(o + 32)) }
        if (type === 1) loads.push(r)
      }
    }
    if (shnum && shoff) {
      const sh = readAt(fd, shoff, shentsize * shnum)
      const strOff = Number(sh.readBigUInt64LE(shentsize * shstrndx + 24)), strSize = Number(sh.readBigUInt64LE(shentsize * shstrndx + 32))
      const names = readAt(fd, strOff, Math.min(strSize, 1 << 20))
      for (let i = 0; i < shnum; i++) {
        const o = shentsize * i
        const nameOff = sh.readUInt32LE(o), type = sh.readUInt32LE(o + 4)
        const name = names.toString('latin1', nameOff, names.indexOf(0, nameOff))
        const r = { addr: Number(sh.readBigUInt64LE(o + 16)), offset: Number(sh.readBigUInt64LE(o + 24)), size: Number(sh.readBigUInt64LE(o + 32)) }
        if (type === 7 && name === '.note.stapsdt') notes.push(r)
        // Allocated sections refine the address → offset mapping (e.g. .probes).
        if (type !== 8 && r.addr && (name === '.probes' || name === '.data' || name === '.bss')) loads.unshift(r)
      }
    }
    const out: UsdtNote[] = []
    for (const n of notes) {
      if (n.size > 64 << 20) throw new ElfError(`${file}: .note.stapsdt too large`)
      parseNotes(readAt(fd, n.offset, n.size), out)
    }
    for (const p of out) {
      const r = p.semaphore ? loads.find((l) => p.semaphore >= l.addr && p.semaphore < l.addr + l.size) : undefined
      p.semaphoreOffset = r ? p.semaphore - r.addr + r.offset : 0
    }
    return out
  } finally { fs.closeSync(fd) }
}

const align4 = (n: number) => (n + 3) & ~3

export function parseNotes(b: Buffer, out: UsdtNote[] = []): UsdtNote[] {
  let o = 0
  while (o + 12 <= b.length) {
    const namesz = b.readUInt32LE(o), descsz = b.readUInt32LE(o + 4), type = b.readUInt32LE(o + 8)
    const nameAt = o + 12, descAt = nameAt + align4(namesz)
    if (descAt + descsz > b.length) break
    if (type === 3 && namesz === 8 && b.toString('latin1', nameAt, nameAt + 7) === 'stapsdt' && descsz >= 27) {
      const strs = b.toString('utf8', descAt + 24, descAt + descsz).split('\0')
      out.push({
        pc: Number(b.readBigUInt64LE(descAt)), base: Number(b.readBigUInt64LE(descAt + 8)),
        semaphore: Number(b.readBigUInt64LE(descAt + 16)), semaphoreOffset: 0,
        provider: strs[0] ?? '', name: strs[1] ?? '', args: strs[2] ?? '',
      })
    }
    o = descAt + align4(descsz)
  }
  return out
}
