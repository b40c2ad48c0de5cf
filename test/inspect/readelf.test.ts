// readelf (binutils, independent of our code) must find every catalogue probe in the built
// addon: a .note.stapsdt note with the right provider/name, a non-zero semaphore inside the
// .probes section, and an argument spec with the catalogue's count and sizes.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { execFileSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { staticProbes, probeKey } from '../../probes/catalogue'
import { addonStatus } from '../../probes/addon'
import { missing } from '../support/system'

const gen = createRequire(__filename)('../../scripts/gen-probes.js')
const skip = missing('readelf')

interface Note { provider: string; name: string; location: bigint; semaphore: bigint; args: string }

function notes(file: string): Note[] {
  const out = execFileSync('readelf', ['-n', file], { encoding: 'utf8' })
  const re = /Provider: (\S+)\s+Name: (\S+)\s+Location: (0x[0-9a-f]+), Base: 0x[0-9a-f]+, Semaphore: (0x[0-9a-f]+)\s+Arguments:([^\n]*)/g
  return [...out.matchAll(re)].map((m) => ({ provider: m[1], name: m[2], location: BigInt(m[3]), semaphore: BigInt(m[4]), args: m[5].trim() }))
}

function section(file: string, name: string): { addr: bigint; size: bigint } {
  const out = execFileSync('readelf', ['-S', '-W', file], { encoding: 'utf8' })
  const line = out.split('\n').find((l) => l.includes(` ${name} `))
  assert.ok(line, `no section ${name}`)
  const f = line!.replace(/^\s*\[\s*\d+\]\s*/, '').split(/\s+/)  // name type addr off size ...
  return { addr: BigInt('0x' + f[2]), size: BigInt('0x' + f[4]) }
}

test('every catalogue probe has a note, a semaphore in .probes and the catalogue arg spec', () => {
  if (skip) { console.log(`skip: ${skip}`); return }
  const file = addonStatus().path
  const all = notes(file)
  const probes = section(file, '.probes')
  assert.ok(section(file, '.stapsdt.base').size >= 1n)
  assert.is(probes.size, BigInt(staticProbes.length * 2), 'one u16 per probe, nothing else in .probes')
  const sems = new Set<bigint>()
  staticProbes.forEach((p, i) => {
    const found = all.filter((n) => n.provider === p.provider && n.name === p.name)
    assert.is(found.length, 1, `${probeKey(p)}: one site`)
    const n = found[0]
    assert.ok(n.location > 0n)
    assert.ok(n.semaphore >= probes.addr && n.semaphore < probes.addr + probes.size, `${probeKey(p)} semaphore inside .probes`)
    sems.add(n.semaphore)
    const sizes = n.args === '' ? [] : n.args.split(' ').map((a) => a.split('@')[0])
    assert.equal(sizes, gen.argSizes(p), `${probeKey(p)} arg sizes`)
    for (const a of n.args.split(' ').filter(Boolean)) assert.match(a, /^-?\d@%[a-z0-9]+$/)
    assert.is(n.semaphore, probes.addr + BigInt(2 * i), `${probeKey(p)}: element ${i} of the one semaphore array`)
  })
  assert.is(sems.size, staticProbes.length, 'distinct semaphores')
  assert.is(all.length, staticProbes.length, 'no stray notes')
})

test.run()
