// The ELF note reader against readelf (independent reader) on real objects: the built addon,
// a generated provider image and libstdc++; garbage is rejected with ElfError.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { ElfError, readUsdtNotes } from '../../inspect/elf-notes'
import { writeProviderImage } from '../../probes/dynamic/elf-writer'
import { missing } from '../support/system'

const skip = missing('readelf')
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sonde-notes-'))

function readelfNotes(file: string) {
  const out = spawnSync('readelf', ['-n', file], { encoding: 'utf8' }).stdout
  return [...out.matchAll(/Provider: (\S+)\s+Name: (\S+)\s+Location: (0x[0-9a-f]+), Base: (0x[0-9a-f]+), Semaphore: (0x[0-9a-f]+)\s+Arguments: ?(.*)/g)]
    .map(([, provider, name, pc, base, sem, args]) => ({ provider, name, pc: Number(pc), base: Number(base), semaphore: Number(sem), args: args.trim() }))
}

const strip = (n: ReturnType<typeof readUsdtNotes>[number]) => ({ provider: n.provider, name: n.name, pc: n.pc, base: n.base, semaphore: n.semaphore, args: n.args })

test('generated provider image: same notes as readelf; semaphore file offsets inside .probes', () => {
  if (skip) { console.log('skip:', skip); return }
  const img = writeProviderImage('notes', [{ name: 'a', types: ['string', 'u64'] }, { name: 'b', types: ['i8', 'json'] }])
  const f = path.join(dir, 'img.so')
  fs.writeFileSync(f, img.bytes)
  const notes = readUsdtNotes(f)
  assert.equal(notes.map(strip), readelfNotes(f))
  // file offset = vaddr in our layout; the bytes there are the (zero) semaphores
  assert.equal(notes.map((n) => n.semaphoreOffset), img.probes.map((p) => p.semaphore))
})

const others = [path.resolve(__dirname, '..', '..', 'build', 'Release', 'sonde.node'), '/usr/lib/x86_64-linux-gnu/libstdc++.so.6']
for (const file of others) {
  test(`${path.basename(file)}: same notes as readelf`, () => {
    if (skip || !fs.existsSync(file)) { console.log('skip: missing', file); return }
    const mine = readUsdtNotes(file).map(strip)
    assert.ok(mine.length > 0)
    assert.equal(mine, readelfNotes(file))
  })
}

test('addon semaphores map to file offsets in .probes', () => {
  const file = others[0]
  if (skip || !fs.existsSync(file)) return
  const s = spawnSync('readelf', ['-W', '-S', file], { encoding: 'utf8' }).stdout
  const m = /\] \.probes\s+PROGBITS\s+([0-9a-f]+)\s+([0-9a-f]+)\s+([0-9a-f]+)/.exec(s)!
  const [addr, off, size] = [parseInt(m[1], 16), parseInt(m[2], 16), parseInt(m[3], 16)]
  for (const n of readUsdtNotes(file).filter((x) => x.semaphore)) {
    assert.ok(n.semaphoreOffset >= off && n.semaphoreOffset < off + size, n.name)
    assert.is(n.semaphoreOffset - off, n.semaphore - addr)
  }
})

test('not ELF → ElfError; truncated note data is skipped, never thrown past the reader', () => {
  const f = path.join(dir, 'garbage')
  fs.writeFileSync(f, Buffer.from('this is not an ELF file at all, just text padding'.repeat(3)))
  assert.throws(() => readUsdtNotes(f), (e: unknown) => e instanceof ElfError)
  const img = Buffer.from(writeProviderImage('t', [{ name: 'a', types: [] }]).bytes)
  const cut = path.join(dir, 'cut.so')
  fs.writeFileSync(cut, img.subarray(0, 100))
  assert.throws(() => readUsdtNotes(cut), (e: unknown) => e instanceof ElfError)
})

test.after(() => fs.rmSync(dir, { recursive: true, force: true }))
test.run()
