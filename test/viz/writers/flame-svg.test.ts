import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { mergedTree, toFlameSvg, type Cell } from '../../../viz/writers/flame-svg'
import { CallTree, createProfile } from '../../../viz/model/profile'
import { profileFromExact, profileFromFolded } from '../graph/build-profile'

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

test('contexts too narrow to draw are not materialised; their weight stays in the parent ACC', () => {
  // 100 003 one-sample contexts under main;wide, plus main;big with 100 003 samples: at
  // 1200 px, 0.3 px minimum, a cell needs 200 006 × 0.3 / 1200 ≈ 50 samples.
  const p = createProfile('narrow', 'test', 'samples')
  const tree = new CallTree()
  const [main, wide, big] = ['main', 'wide', 'big'].map((n) => p.frames.intern({ name: n }))
  for (let i = 0; i < 100_003; i++) tree.addStack([main, wide, p.frames.intern({ name: `leaf${i}` })], 1)
  tree.addStack([main, big], 100_003)
  p.threads.push({ name: 'main', tree })
  const root = mergedTree(p, (200_006 * 0.3) / 1200)
  let cells = 0
  const stack: Cell[] = [root]
  while (stack.length) { const c = stack.pop()!; cells++; stack.push(...c.children) }
  assert.is(cells, 4) // root, main, wide, big: not 100 003 leaves
  const svg = toFlameSvg(p)
  assert.match(svg, /<title>wide\nACC 100,003 samples \(50\.0 %\)\nOWN 0 samples \(0\.00 %\)<\/title><rect x="[\d.]+" y="\d+" width="600\.00"/)
  assert.match(svg, /<title>main\nACC 200,006 samples \(100\.0 %\)/)
  assert.is((svg.match(/<rect x=/g) ?? []).length, 4)
})

test.run()
