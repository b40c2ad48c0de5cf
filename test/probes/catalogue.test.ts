// The catalogue is the one place probes are declared: the committed generated files (C header,
// docs table, TS API region) must equal what scripts/gen-probes.js makes from it now, and the
// loaded addon must expose exactly the catalogue's probes in catalogue order.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import fs from 'node:fs'
import { createRequire } from 'node:module'
import { staticProbes, STRING_ARG_MAX, probeKey } from '../../probes/catalogue'
import * as catalogue from '../../probes/catalogue'
import { nativeAddon, addonStatus } from '../../probes/addon'
import { sondeProbes, nodeProbes, semaphores, probeIndex } from '../../probes/static-probes'

const gen = createRequire(__filename)('../../scripts/gen-probes.js')

test('committed generated files match the catalogue', () => {
  const out = gen.generateAll(catalogue)
  for (const k of ['header', 'docs', 'ts']) {
    const committed = fs.readFileSync(gen.paths[k], 'utf8')
    assert.ok(committed === out[k], `${gen.paths[k]} is stale: run node scripts/gen-probes.js`)
  }
})

test('probe names are unique and valid C identifiers', () => {
  const keys = staticProbes.map(probeKey)
  assert.is(new Set(keys).size, keys.length)
  for (const p of staticProbes) assert.ok(/^[a-z_][a-z0-9_]*$/.test(p.name), p.name)
  assert.ok(STRING_ARG_MAX >= 16)
})

test('the addon exposes every catalogue probe in catalogue order', () => {
  assert.ok(addonStatus().loaded, `addon not loaded: ${addonStatus().error}`)
  const a = nativeAddon()
  assert.is(semaphores().length, staticProbes.length)
  staticProbes.forEach((p, i) => {
    assert.is(a.probeIndex[probeKey(p)], i, probeKey(p))
    assert.is(probeIndex(p), i)
    assert.type(a.fire[probeKey(p)], 'function')
  })
  assert.equal(Object.keys(sondeProbes).sort(), staticProbes.filter((p) => p.provider === 'sonde').map((p) => p.name).sort())
  assert.equal(Object.keys(nodeProbes).sort(), staticProbes.filter((p) => p.provider === 'node').map((p) => p.name).sort())
  assert.is(sondeProbes.gc__start.enabled, false)
  assert.is(sondeProbes.gc__start.spec.name, 'gc__start')
})

test('the generated TS API lists each probe with its JS-visible arg count', () => {
  const region = gen.generateTsRegion(staticProbes) as string
  for (const p of staticProbes) {
    const line = region.split('\n').find((l: string) => l.includes(` ${p.name}: StaticProbe<`) && true)
    assert.ok(line, p.name)
  }
  const req = staticProbes.find((p) => p.provider === 'node' && p.name === 'http__server__request')!
  assert.is(gen.jsArgs(req).length, 5)
})

test.run()
