// The generated provider object, checked with an independent reader (binutils readelf):
// it must accept the image without a warning and show our notes, arg specs and semaphores.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { writeProviderImage } from '../../probes/dynamic/elf-writer'
import { argSpec, validateName, validateTypes } from '../../probes/dynamic/arg-types'
import { missing } from '../support/system'

const skip = missing('readelf')
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sonde-elf-'))
const ALL = ['i8', 'i16', 'i32', 'i64', 'u8', 'u16', 'u32', 'u64', 'bool', 'string', 'json', 'i8'] as const

function readelf(file: string, ...flags: string[]) {
  const r = spawnSync('readelf', [...flags, file], { encoding: 'utf8' })
  return { out: r.stdout, err: r.stderr, status: r.status }
}

const image = writeProviderImage('myapp', [
  { name: 'query__start', types: ['string', 'i64'] },
  { name: 'every', types: [...ALL] },
  { name: 'none', types: [] },
])
const file = path.join(dir, 'myapp.so')
fs.writeFileSync(file, image.bytes)

test('arg specs: sizes and signedness per type, args 7-12 on the stack relative to %rsp', () => {
  assert.is(argSpec([...ALL]),
    '-1@%rdi -2@%rsi -4@%rdx -8@%rcx 1@%r8 2@%r9 4@8(%rsp) 8@16(%rsp) 1@24(%rsp) 8@32(%rsp) 8@40(%rsp) -1@48(%rsp)')
})

test('readelf -h -S -l -n --dyn-syms (and -W) accept the image with nothing on stderr', () => {
  if (skip) { console.log('skip:', skip); return }
  for (const flags of [['-h', '-S', '-l', '-n', '--dyn-syms'], ['-W', '-h', '-S', '-l', '-n', '--dyn-syms'], ['-a', '-W']]) {
    const r = readelf(file, ...flags)
    assert.is(r.status, 0, flags.join(' '))
    assert.is(r.err, '', `stderr of readelf ${flags.join(' ')}`)
  }
  const h = readelf(file, '-h').out
  assert.match(h, /Type:\s+DYN \(Shared object file\)/)
  assert.match(h, /Machine:\s+Advanced Micro Devices X86-64/)
})

test('sections and program headers tools need', () => {
  if (skip) return
  const s = readelf(file, '-W', '-S').out
  for (const name of ['.hash', '.dynsym', '.dynstr', '.text', '.stapsdt.base', '.dynamic', '.probes', '.note.stapsdt', '.shstrtab']) {
    assert.ok(new RegExp(`\\] ${name.replace('.', '\\.')}\\s`).test(s), name)
  }
  const l = readelf(file, '-W', '-l').out
  assert.is((l.match(/^\s+LOAD\s/gm) || []).length, 2)
  for (const t of ['DYNAMIC', 'NOTE', 'GNU_STACK']) assert.ok(new RegExp(`^\\s+${t}\\s`, 'm').test(l), t)
  assert.match(l, /GNU_STACK(\s+0x0+){5}\s+RW /)
})

test('notes: provider, name, pc, base, semaphore address and argument strings', () => {
  if (skip) return
  const n = readelf(file, '-n').out
  const notes = [...n.matchAll(/Provider: (\S+)\s+Name: (\S+)\s+Location: (0x[0-9a-f]+), Base: (0x[0-9a-f]+), Semaphore: (0x[0-9a-f]+)\s+Arguments: ?(.*)/g)]
  assert.is(notes.length, 3)
  image.probes.forEach((p, i) => {
    const [, prov, name, pc, base, sem, args] = notes[i]
    assert.is(prov, 'myapp'); assert.is(name, p.name)
    assert.is(Number(pc), p.pc); assert.is(Number(base), image.stapsdtBase); assert.is(Number(sem), p.semaphore)
    assert.is(args.trim(), p.args)
  })
  assert.is(notes[1][6], argSpec([...ALL]))
  assert.is(notes[0][6], '8@%rdi -8@%rsi')
  // Semaphores: consecutive u16 in .probes, in the writable segment.
  const s = readelf(file, '-W', '-S').out
  const probes = /\] \.probes\s+PROGBITS\s+([0-9a-f]+)\s+[0-9a-f]+\s+([0-9a-f]+)\s+\S+\s+WA/.exec(s)
  assert.ok(probes, '.probes is PROGBITS WA')
  assert.is(parseInt(probes![1], 16), image.semaphoresAddr)
  assert.is(parseInt(probes![2], 16), 2 * 3)
  assert.equal(image.probes.map((p) => p.semaphore - image.semaphoresAddr), [0, 2, 4])
})

test('dynamic symbols: <provider>__<probe> per stub, semaphores, the semaphore block', () => {
  if (skip) return
  const d = readelf(file, '-W', '--dyn-syms').out
  for (const p of image.probes) {
    const m = new RegExp(`([0-9a-f]{16})\\s+16 FUNC\\s+GLOBAL DEFAULT\\s+\\d+ ${p.symbol}$`, 'm').exec(d)
    assert.ok(m, p.symbol); assert.is(parseInt(m![1], 16), p.pc)
    const sm = new RegExp(`([0-9a-f]{16})\\s+2 OBJECT\\s+GLOBAL DEFAULT\\s+\\d+ ${p.symbol}_semaphore$`, 'm').exec(d)
    assert.ok(sm); assert.is(parseInt(sm![1], 16), p.semaphore)
  }
  assert.match(d, /\s6 OBJECT\s+GLOBAL DEFAULT\s+\d+ sonde_dyn_semaphores$/m)
  // The probe site is a nop followed by ret.
  const at = image.probes[1].pc
  assert.equal([image.bytes[at], image.bytes[at + 1]], [0x90, 0xc3])
})

test('1000 probes: one image, readelf still clean', () => {
  if (skip) return
  const many = writeProviderImage('big', Array.from({ length: 1000 }, (_, i) => ({ name: `p${i}`, types: ['i32'] as const })))
  const f = path.join(dir, 'big.so')
  fs.writeFileSync(f, many.bytes)
  const r = readelf(f, '-W', '-n', '--dyn-syms', '-S')
  assert.is(r.err, '')
  assert.is((r.out.match(/NT_STAPSDT/g) || []).length, 1000)
  assert.is(many.probes[999].semaphore - many.probes[0].semaphore, 2 * 999)
})

test('names and types are validated at definition with a clear error', () => {
  assert.throws(() => validateName('probe', 'bad-name'), /invalid probe name "bad-name"/)
  assert.throws(() => validateName('provider', '9x'), /invalid provider name/)
  assert.throws(() => validateName('provider', 42), /must be a string/)
  assert.throws(() => validateTypes('p', ['i32', 'float']), /argument 1 has type "float"/)
  assert.throws(() => validateTypes('p', new Array(13).fill('i8')), /13 arguments, at most 12/)
  assert.equal(validateTypes('p', ['u64', 'json']), ['u64', 'json'])
})

test.after(() => fs.rmSync(dir, { recursive: true, force: true }))
test.run()
