import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { importProfileFile } from '../../../viz/importers'
import { buildCallGraph } from '../../../viz/graph/shape'
import { toDot } from '../../../viz/writers/dot-writer'
import { toJson } from '../../../viz/writers/json-writer'
import { toTextTable } from '../../../viz/writers/text-table'
import type { Profile } from '../../../viz/model/profile'
import { profileFromExact, profileFromFolded } from '../graph/build-profile'
import { matchGolden } from './golden'

const fixtures = join(__dirname, '..', '..', 'fixtures')

const cases: [string, () => Promise<Profile>][] = [
  ['recursion', async () => profileFromFolded(readFileSync(join(fixtures, 'stackcollapse/recursion.txt'), 'utf8'), 'recursion.txt')],
  ['selfgen-node20-cpu', () => importProfileFile(join(fixtures, 'node/selfgen_node20_cpu-prof.cpuprofile')).then((p) => ({ ...p, name: 'selfgen_node20_cpu-prof.cpuprofile' }))],
  ['chrome65-simple', () => importProfileFile(join(fixtures, 'chrome/Chrome_65_simple.cpuprofile')).then((p) => ({ ...p, name: 'Chrome_65_simple.cpuprofile' }))],
  ['exact-fib', async () => profileFromExact(
    [['main', 1, 100, 10], ['fib', 177, 90, 85], ['io:format', 1, 5, 5]],
    [['main', 'fib', 1, 90], ['fib', 'fib', 176, 89], ['fib', 'io:format', 1, 5]])],
]

for (const [name, load] of cases) {
  test(`golden ${name}: dot, txt, json`, async () => {
    const g = buildCallGraph(await load(), {})
    matchGolden(`dot/${name}.dot`, toDot(g))
    matchGolden(`txt/${name}.txt`, toTextTable(g))
    matchGolden(`json/${name}.json`, toJson(g))
  })
}

test('json: total is the sum of OWN; recursion gives a and b 90 %', async () => {
  const j = JSON.parse(toJson(buildCallGraph(profileFromFolded(readFileSync(join(fixtures, 'stackcollapse/recursion.txt'), 'utf8')), { nodeThres: 0 })))
  assert.is(j.unit, 'samples')
  assert.is(j.total, j.nodes.reduce((s: number, n: { self: number }) => s + n.self, 0))
  const a = j.nodes.find((n: { name: string }) => n.name === 'a'), b = j.nodes.find((n: { name: string }) => n.name === 'b')
  assert.equal([a.total / j.total, b.total / j.total], [0.9, 0.9])
  assert.ok(j.edges.every((e: { caller: number; callee: number }) => j.nodes[e.caller] && j.nodes[e.callee]))
})

test('dot output is deterministic (same bytes twice, attributes sorted)', async () => {
  const p = await cases[1][1]()
  const a = toDot(buildCallGraph(p, {})), b = toDot(buildCallGraph(p, {}))
  assert.is(a, b)
  for (const m of a.matchAll(/\[((?:[a-z]+=(?:"(?:[^"\\]|\\.)*"|<.*>)(?:, )?)+)\]/g)) {
    const keys = [...m[1].matchAll(/(?:^|, )([a-z]+)=/g)].map((k) => k[1])
    assert.equal(keys, [...keys].sort())
  }
})

test('txt table: function line marked, callers above, callees below, sorted by ACC', () => {
  const g = buildCallGraph(profileFromExact([['main', 1, 100, 10], ['f', 7, 90, 90]], [['main', 'f', 7, 90]]), {})
  const t = toTextTable(g)
  const para = t.split('\n{\n')[2]
  assert.match(para, /^\s+main\s+7\s+90\.0 ms\s*\n\*\s+f\s+7\s+90\.0 ms\s+90\.0 ms/)
  assert.ok(t.indexOf('* main') < t.indexOf('* f'), 'main (ACC 100) before f (ACC 90)')
})

test.run()
