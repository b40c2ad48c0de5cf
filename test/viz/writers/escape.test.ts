import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { buildCallGraph } from '../../../viz/graph/shape'
import { toDot } from '../../../viz/writers/dot-writer'
import { dotToSvg } from '../../../viz/writers/svg'
import { quote } from '../../../viz/writers/dot-quote'
import { profileFromStacks } from '../graph/build-profile'

const XSS = '<img src=x onerror=alert(1)>'
const hostile = ['node', 'edge', 'graph', 'digraph', 'subgraph', 'strict', 'a"b', 'back\\slash\\N\\G', 'new\nline', XSS, '</title><script>alert(2)</script>', 'x'.repeat(300), 'é ünïcødé → ✓']

function graph() {
  const p = profileFromStacks(hostile.map((name, i) => ({ frames: ['main', { name, file: `/srv/<b>${i}&.js`, line: i + 1 }], weight: 10 + i })))
  return buildCallGraph(p, { nodeThres: 0, edgeThres: 0 })
}

test('quote(): backslashes, quotes and newlines cannot end the string or make escapes', () => {
  assert.is(quote('a"b'), '"a\\"b"')
  assert.is(quote('c:\\n'), '"c:\\\\n"')
  assert.is(quote('x\ny'), '"x y"')
  assert.is(quote('node'), '"node"')
})

test('DOT with keyword, quote, backslash, newline and 300-char names lays out in Graphviz', async () => {
  const g = graph()
  const dot = toDot(g)
  assert.not.match(dot, /(^|\n) {2}"x{100}|label="x{100}/, 'long name is shortened in ids and labels (the tooltip keeps it whole)')
  assert.ok(dot.includes(`tooltip="${'x'.repeat(300)}`))
  assert.match(dot, /"x{40}…#[0-9a-f]{12}"/)
  assert.match(dot, /back\\\\slash\\\\N\\\\G/)
  const svg = await dotToSvg(dot)
  // every function is a node in the SVG (Graphviz parsed every id)
  assert.is((svg.match(/class="node"/g) ?? []).length, g.nodes.length + 1 /* legend */)
  assert.ok(svg.includes('back\\slash\\N\\G'), 'backslashes shown literally, \\N not expanded')
  assert.ok(svg.includes('a&quot;b') || svg.includes('a&#34;b'), 'quote kept as text')
})

test('a function named <img src=x onerror=alert(1)> is inert text in the SVG', async () => {
  const svg = await dotToSvg(toDot(graph()))
  assert.not.ok(svg.includes('<img'), 'no <img element')
  assert.not.ok(svg.includes('<script'), 'no <script element')
  assert.not.ok(/<b>\d/.test(svg), 'file names are escaped too')
  assert.ok(svg.includes('&lt;img src=x onerror=alert(1)&gt;'))
  const tags = new Set([...svg.matchAll(/<([a-zA-Z][\w:-]*)/g)].map((m) => m[1]))
  for (const t of tags) assert.ok(['svg', 'g', 'title', 'polygon', 'text', 'path', 'a', 'ellipse', 'polyline', 'defs'].includes(t), `unexpected element <${t}>`)
})

test.run()
