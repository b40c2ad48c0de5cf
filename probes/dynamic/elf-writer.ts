// Pure TypeScript writer of the x86-64 ELF shared object that carries one dynamic provider's
// probes: what libstapsdt builds in C, without its limits. Layout (file offset = vaddr):
//   RX PT_LOAD: ELF header, program headers, .hash, .dynsym, .dynstr, .text (one 16-byte stub
//               per probe: `nop` = the probe site, then `ret`), .note.stapsdt, .stapsdt.base
//   RW PT_LOAD: .dynamic (glibc relocates it in place), .probes (one u16 semaphore per probe)
//   then non-loaded .shstrtab and the section headers. PT_DYNAMIC, PT_NOTE, PT_GNU_STACK (RW,
//   so dlopen never asks for an executable stack).
// Notes follow sys/sdt.h: owner "stapsdt", type 3, desc = pc, .stapsdt.base address, semaphore
// address, then "provider\0name\0args\0". Stub symbols are `<provider>__<probe>` so stacks name them.
import { argSpec, type DynArgType } from './arg-types'

export interface StubSpec { name: string; types: readonly DynArgType[] }

export interface StubLayout {
  name: string
  symbol: string
  /** Address (relative to the load base) of the stub = the probe site (the nop). */
  pc: number
  /** Address (relative to the load base) of the probe's u16 semaphore. */
  semaphore: number
  args: string
}

export interface ProviderImage {
  bytes: Uint8Array
  probes: StubLayout[]
  /** Exported symbol at the start of .probes: the loader maps the semaphores from it. */
  semaphoresSymbol: string
  semaphoresAddr: number
  stapsdtBase: number
}

export const SEMAPHORES_SYMBOL = 'sonde_dyn_semaphores'
const STUB_SIZE = 16
const PAGE = 0x1000

const align = (n: number, a: number) => Math.ceil(n / a) * a

function elfHash(name: string): number {
  let h = 0
  for (let i = 0; i < name.length; i++) {
    h = ((h << 4) + name.charCodeAt(i)) >>> 0
    const g = h & 0xf0000000
    if (g) h ^= g >>> 24
    h &= ~g >>> 0
  }
  return h >>> 0
}

class StringTable {
  private parts: Buffer[] = [Buffer.from([0])]
  private size = 1
  private index = new Map<string, number>()
  add(s: string): number {
    const seen = this.index.get(s)
    if (seen !== undefined) return seen
    const off = this.size
    const b = Buffer.from(s + '\0', 'utf8')
    this.parts.push(b); this.size += b.length; this.index.set(s, off)
    return off
  }
  bytes(): Buffer { return Buffer.concat(this.parts) }
}

function noteBytes(pc: number, base: number, sem: number, provider: string, name: string, args: string): Buffer {
  const owner = Buffer.from('stapsdt\0')
  const strs = Buffer.from(`${provider}\0${name}\0${args}\0`, 'utf8')
  const descsz = 24 + strs.length
  const out = Buffer.alloc(12 + align(owner.length, 4) + align(descsz, 4))
  out.writeUInt32LE(owner.length, 0); out.writeUInt32LE(descsz, 4); out.writeUInt32LE(3, 8)
  owner.copy(out, 12)
  const d = 12 + align(owner.length, 4)
  out.writeBigUInt64LE(BigInt(pc), d); out.writeBigUInt64LE(BigInt(base), d + 8); out.writeBigUInt64LE(BigInt(sem), d + 16)
  strs.copy(out, d + 24)
  return out
}

/** Builds the shared object for `provider` with `probes` (names already validated). */
export function writeProviderImage(provider: string, probes: readonly StubSpec[]): ProviderImage {
  const n = probes.length
  const dynstr = new StringTable()
  const soname = dynstr.add(`libsonde-${provider}.so`)
  const symbols = [
    ...probes.map((p) => ({ name: `${provider}__${p.name}`, kind: 'func' as const, index: 0 })),
    ...probes.map((p) => ({ name: `${provider}__${p.name}_semaphore`, kind: 'sem' as const, index: 0 })),
    { name: SEMAPHORES_SYMBOL, kind: 'all' as const, index: 0 },
  ]
  symbols.forEach((s, i) => { s.index = i % n })
  const nameOffsets = symbols.map((s) => dynstr.add(s.name))
  const dynstrBytes = dynstr.bytes()
  const nsyms = symbols.length + 1

  // RX segment layout.
  const PHNUM = 5
  const hashOff = align(64 + 56 * PHNUM, 8)
  const nbucket = Math.max(1, Math.min(nsyms, 4093))
  const hashSize = 4 * (2 + nbucket + nsyms)
  const dynsymOff = align(hashOff + hashSize, 8)
  const dynstrOff = dynsymOff + 24 * nsyms
  const textOff = align(dynstrOff + dynstrBytes.length, 16)
  const textSize = Math.max(STUB_SIZE, STUB_SIZE * n)
  const noteOff = align(textOff + textSize, 8)
  const baseOff0 = noteOff // provisional: notes need the .stapsdt.base address, computed below
  const argStrings = probes.map((p) => argSpec(p.types))
  const noteSizes = probes.map((p, i) => noteBytes(0, 0, 0, provider, p.name, argStrings[i]).length)
  const noteSize = noteSizes.reduce((a, b) => a + b, 0)
  const stapsdtBase = baseOff0 + noteSize
  const rxEnd = stapsdtBase + 1

  // RW segment: .dynamic then .probes.
  const dynOff = align(rxEnd, PAGE)
  const dynEntries: [number, number][] = [
    [14, soname], [4, hashOff], [5, dynstrOff], [6, dynsymOff], [10, dynstrBytes.length], [11, 24], [0, 0]]
  const probesOff = dynOff + 16 * dynEntries.length
  const probesSize = Math.max(2, 2 * n)
  const rwEnd = probesOff + probesSize

  const shstr = new StringTable()
  const secNames = ['.hash', '.dynsym', '.dynstr', '.text', '.stapsdt.base', '.dynamic', '.probes', '.note.stapsdt', '.shstrtab']
  const secNameOff = secNames.map((s) => shstr.add(s))
  const shstrBytes = shstr.bytes()
  const shstrOff = rwEnd
  const shOff = align(shstrOff + shstrBytes.length, 8)
  const total = shOff + 64 * (secNames.length + 1)

  const buf = Buffer.alloc(total)
  const u16 = (o: number, v: number) => buf.writeUInt16LE(v, o)
  const u32 = (o: number, v: number) => buf.writeUInt32LE(v >>> 0, o)
  const u64 = (o: number, v: number) => buf.writeBigUInt64LE(BigInt(v), o)

  // ELF header.
  buf.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0], 0)
  u16(16, 3); u16(18, 62); u32(20, 1); u64(24, 0); u64(32, 64); u64(40, shOff)
  u32(48, 0); u16(52, 64); u16(54, 56); u16(56, PHNUM); u16(58, 64); u16(60, secNames.length + 1); u16(62, secNames.length)

  // Program headers: type, flags, offset, vaddr, paddr, filesz, memsz, align.
  const phdr = (i: number, type: number, flags: number, off: number, size: number, al: number) => {
    const o = 64 + 56 * i
    u32(o, type); u32(o + 4, flags); u64(o + 8, off); u64(o + 16, off); u64(o + 24, off)
    u64(o + 32, size); u64(o + 40, size); u64(o + 48, al)
  }
  phdr(0, 1, 5, 0, rxEnd, PAGE)
  phdr(1, 1, 6, dynOff, rwEnd - dynOff, PAGE)
  phdr(2, 2, 6, dynOff, 16 * dynEntries.length, 8)
  phdr(3, 4, 4, noteOff, noteSize, 4)
  phdr(4, 0x6474e551, 6, 0, 0, 16)

  // .hash (SysV): nbucket, nchain, buckets, chains.
  u32(hashOff, nbucket); u32(hashOff + 4, nsyms)
  const chainBase = hashOff + 8 + 4 * nbucket
  symbols.forEach((s, i) => {
    const idx = i + 1
    const b = elfHash(s.name) % nbucket
    const head = hashOff + 8 + 4 * b
    u32(chainBase + 4 * idx, buf.readUInt32LE(head))
    u32(head, idx)
  })

  // .text stubs and the layout JS needs.
  const layout: StubLayout[] = probes.map((p, i) => ({
    name: p.name, symbol: `${provider}__${p.name}`, pc: textOff + STUB_SIZE * i,
    semaphore: probesOff + 2 * i, args: argStrings[i],
  }))
  for (let i = 0; i < Math.max(1, n); i++) {
    const o = textOff + STUB_SIZE * i
    buf.fill(0xcc, o, o + STUB_SIZE)
    buf[o] = 0x90; buf[o + 1] = 0xc3
  }

  // .dynsym: name, info, other, shndx, value, size. Section indices: .text 4, .probes 7.
  symbols.forEach((s, i) => {
    const o = dynsymOff + 24 * (i + 1)
    u32(o, nameOffsets[i])
    buf[o + 4] = (1 << 4) | (s.kind === 'func' ? 2 : 1)
    if (s.kind === 'func') { u16(o + 6, 4); u64(o + 8, layout[s.index].pc); u64(o + 16, STUB_SIZE) }
    else if (s.kind === 'sem') { u16(o + 6, 7); u64(o + 8, layout[s.index].semaphore); u64(o + 16, 2) }
    else { u16(o + 6, 7); u64(o + 8, probesOff); u64(o + 16, probesSize) }
  })
  dynstrBytes.copy(buf, dynstrOff)

  let off = noteOff
  layout.forEach((l) => {
    const note = noteBytes(l.pc, stapsdtBase, l.semaphore, provider, l.name, l.args)
    note.copy(buf, off); off += note.length
  })

  dynEntries.forEach(([tag, val], i) => { u64(dynOff + 16 * i, tag); u64(dynOff + 16 * i + 8, val) })
  shstrBytes.copy(buf, shstrOff)

  // Section headers: name, type, flags, addr, offset, size, link, info, addralign, entsize.
  const shdr = (i: number, name: number, type: number, flags: number, addr: number, o: number, size: number,
    link: number, info: number, al: number, entsize: number) => {
    const h = shOff + 64 * i
    u32(h, name); u32(h + 4, type); u64(h + 8, flags); u64(h + 16, addr); u64(h + 24, o)
    u64(h + 32, size); u32(h + 40, link); u32(h + 44, info); u64(h + 48, al); u64(h + 56, entsize)
  }
  const A = 2, W = 1, X = 4
  shdr(1, secNameOff[0], 5, A, hashOff, hashOff, hashSize, 2, 0, 8, 4)
  shdr(2, secNameOff[1], 11, A, dynsymOff, dynsymOff, 24 * nsyms, 3, 1, 8, 24)
  shdr(3, secNameOff[2], 3, A, dynstrOff, dynstrOff, dynstrBytes.length, 0, 0, 1, 0)
  shdr(4, secNameOff[3], 1, A | X, textOff, textOff, textSize, 0, 0, 16, 0)
  shdr(5, secNameOff[4], 1, A, stapsdtBase, stapsdtBase, 1, 0, 0, 1, 0)
  shdr(6, secNameOff[5], 6, A | W, dynOff, dynOff, 16 * dynEntries.length, 3, 0, 8, 16)
  shdr(7, secNameOff[6], 1, A | W, probesOff, probesOff, probesSize, 0, 0, 2, 0)
  // bcc 0.26 (bpftrace 0.17) finds no probes when .note.stapsdt precedes .probes in the
  // section table (measured): keep the linker's order, notes after the data sections.
  shdr(8, secNameOff[7], 7, A, noteOff, noteOff, noteSize, 0, 0, 4, 0)
  shdr(9, secNameOff[8], 3, 0, 0, shstrOff, shstrBytes.length, 0, 0, 1, 0)

  return { bytes: new Uint8Array(buf.buffer, buf.byteOffset, buf.length), probes: layout, semaphoresSymbol: SEMAPHORES_SYMBOL, semaphoresAddr: probesOff, stapsdtBase }
}
