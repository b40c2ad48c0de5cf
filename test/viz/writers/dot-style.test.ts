import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { buildCallGraph } from '../../../viz/graph/shape'
import { toDot } from '../../../viz/writers/dot-writer'
import { heatColor, divergingColor, skewed, textColorFor } from '../../../viz/writers/palette'
import { formatValue, formatPercent } from '../../../viz/writers/format-value'
import { profileFromFolded, profileFromStacks } from '../graph/build-profile'

const line = (dot: string, id: string) => dot.split('\n').find((l) => l.startsWith(`  "${id}" [`))!

test('pseudo frames are grey and dashed; aggregate edges are dashed and marked ≈', () => {
  const p = profileFromFolded('(root);main;m1;x 10\n(root);main;m2;x 10\n(root);(idle) 30\n(root);main;m1 1\n(root);main;m2 1')
  const dot = toDot(buildCallGraph(p, { budget: 4, nodeThres: 0 }))
  assert.match(line(dot, '(idle)'), /fillcolor="#e8e8e8".*style="filled,rounded,dashed"/)
  assert.match(line(dot, 'main'), /fillcolor="#[0-9a-f]{6}"/)
  assert.not.match(line(dot, 'main'), /dashed/)
  assert.match(dot, /"main" -> "x" \[.*label="≈.*style="dashed"/)
})

test('font size from OWN only when asked; module hue changes the fill', () => {
  const p = profileFromStacks([
    { frames: ['main', { name: 'a', module: 'liba' }], weight: 60 },
    { frames: ['main', { name: 'b', module: 'libb' }], weight: 40 },
  ])
  const g = buildCallGraph(p, {})
  assert.not.match(toDot(g), /"a" \[[^\n]*fontsize/)
  const big = toDot(g, { fontFromOwn: true })
  const fa = Number(/"a" \[[^\n]*fontsize="([\d.]+)"/.exec(big)![1]), fb = Number(/"b" \[[^\n]*fontsize="([\d.]+)"/.exec(big)![1])
  assert.ok(fa > fb && fb > 9, `OWN 60 % (${fa}) > OWN 40 % (${fb})`)
  const plain = /"a" \[[^\n]*fillcolor="(#[0-9a-f]+)"/.exec(toDot(g))![1]
  const hued = /"a" \[[^\n]*fillcolor="(#[0-9a-f]+)"/.exec(toDot(g, { moduleHue: true }))![1]
  assert.is.not(plain, hued)
})

test('palette: monotone heat, skew, diverging neutral at 0, readable text', () => {
  const lum = (h: string) => { const n = parseInt(h.slice(1), 16); return ((n >> 16) & 255) * 0.299 + ((n >> 8) & 255) * 0.587 + (n & 255) * 0.114 }
  let prev = Infinity
  for (let t = 0; t <= 1.0001; t += 0.1) { const l = lum(heatColor(t)); assert.ok(l < prev, `lightness falls at ${t.toFixed(1)}`); prev = l }
  assert.ok(skewed(0.1, 0.1) > 0.1, 'skew < 1 spreads low values')
  assert.is(skewed(0.5, 1), 0.5)
  assert.is(divergingColor(0), '#f7f7f7')
  assert.is(textColorFor(heatColor(1)), '#ffffff')
  assert.is(textColorFor(heatColor(0)), '#000000')
})

test('units auto-scale', () => {
  assert.is(formatValue(1_500_000, 'nanoseconds'), '1.50 ms')
  assert.is(formatValue(2500, 'microseconds'), '2.50 ms')
  assert.is(formatValue(3 * 2 ** 20, 'bytes'), '3.00 MiB')
  assert.is(formatValue(1234567, 'samples'), '1,234,567 samples')
  assert.is(formatPercent(1, 3), '33.3 %')
})

test.run()
