// The cpuprofile importer parses `nodes` one element at a time after a structural scan
// (json-array-scan.ts). Truth: the same text through JSON.parse of the whole document
// (cpuprofileFromJson) gives the same folded stacks; names full of JSON punctuation and
// escapes do not move an element boundary; malformed text still gets JSON.parse's message.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import fs from 'node:fs'
import path from 'node:path'
import { ParseError } from '../../../viz/model/profile'
import { cpuprofileFromJson, importFromCpuprofile } from '../../../viz/importers/cpuprofile'
import { forEachElement, topLevelArray } from '../../../viz/importers/json-array-scan'
import { toFolded } from '../../../viz/writers/folded'

const fixtures = path.join(__dirname, '..', '..', 'fixtures')

function both(text: string, name: string): [string, string] {
  const streamed = importFromCpuprofile(text, name)!
  const whole = cpuprofileFromJson(JSON.parse(text), text, name)!
  return [toFolded(streamed), toFolded(whole)]
}

test('every Chrome/Node fixture: streamed and whole-document parses agree', () => {
  const files = ['chrome', 'node', 'xss'].flatMap((d) => fs.readdirSync(path.join(fixtures, d)).filter((f) => f.endsWith('.cpuprofile')).map((f) => path.join(d, f)))
  assert.ok(files.length >= 4, `${files.length} fixtures`)
  for (const f of files) {
    const text = fs.readFileSync(path.join(fixtures, f), 'utf8')
    const [s, w] = both(text, f)
    assert.ok(s.length > 0, f)
    assert.is(s, w, f)
  }
})

test('names with quotes, backslashes and brackets keep element boundaries', () => {
  const names = ['a"b', 'c\\', '}]),[{', '\\"x\\"', 'ü ☃ \u2028', '']
  const nodes = [{ id: 1, callFrame: { functionName: '(root)', url: '', lineNumber: -1, columnNumber: -1 }, children: names.map((_, i) => i + 2) },
    ...names.map((n, i) => ({ id: i + 2, callFrame: { functionName: n, url: 'file:///x"y].js', lineNumber: i, columnNumber: 0 }, hitCount: i + 1, children: [] }))]
  const text = JSON.stringify({ startTime: 0, meta: { a: [1, { b: '"nodes"' }] }, nodes, samples: [], timeDeltas: [] }, null, 1)
  const arr = topLevelArray(text, 'nodes')!
  let count = 0
  assert.ok(forEachElement(text, arr.start, arr.end, (s, e) => { JSON.parse(text.slice(s, e)); count++ }))
  assert.is(count, nodes.length)
  const [s, w] = both(text, 'punct.cpuprofile')
  assert.is(s, w)
  for (const n of names.slice(0, 5)) assert.ok(s.includes(n), n)
})

test('malformed node text: the whole-document error, with its line', () => {
  const text = '{"nodes": [\n{"id": 1, "callFrame": {"functionName": "(root)"}, "children": [2]},\n{"id": 2,, "callFrame": {}}\n], "samples": []}'
  try { importFromCpuprofile(text, 'bad.cpuprofile'); assert.unreachable() } catch (e) {
    assert.instance(e, ParseError)
    assert.match((e as Error).message, /^bad\.cpuprofile:3: invalid JSON/)
  }
})

test.run()
