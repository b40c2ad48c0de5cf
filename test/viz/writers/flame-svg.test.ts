import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { toFlameSvg } from '../../../viz/writers/flame-svg'
import { CallTree, createProfile } from '../../../viz/model/profile'
import { profileFromExact, profileFromFolded } from '../callgraph/build-profile'

test('widths follow inclusive weight; names escaped; tooltip has ACC and OWN', () => {
  const svg = toFlameSvg(profileFromFolded('main;a 30\nmain;<b&"> 10'), { width: 1000 })
  const rect = (name: string) => {
    const m = new RegExp(`<title>${name}\\n[^<]*</title><rect x="([\\d.]+)" y="\\d+" width="([\\d.]+)"`).exec(svg)
    assert.ok(m, `rect for ${name}`)
    return Number(m![2])
  }
  assert.is(rect('main'), 1000)
  assert.is(rect('a'), 750)
  assert.is(rect('&lt;b&amp;&quot;&gt;'), 250)
  assert.match(svg, /<title>a\nACC 30 samples \(75\.0 %\)\nOWN 30 samples \(75\.0 %\)<\/title>/)
})

test('a 200 000-frame stack renders (rows capped, title says so)', () => {
  const p = createProfile('deep', 'test', 'samples')
  const tree = new CallTree()
  tree.addStack(Array.from({ length: 200_000 }, (_, i) => p.frames.intern({ name: `f${i % 1000}` })), 5)
  p.threads.push({ name: 'main', tree })
  const svg = toFlameSvg(p)
  assert.match(svg, /198001 deepest rows not drawn/)
  assert.is((svg.match(/<rect x=/g) ?? []).length, 2000)
})

test('an exact graph without stacks is refused with a reason', () => {
  assert.throws(() => toFlameSvg(profileFromExact([['main', 1, 10, 10]], [])), /no stack samples/)
})

test.run()
