import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { deriveCallGraph } from '../../../viz/graph/derive'
import type { CallGraph } from '../../../viz/model/call-graph'
import { CallTree, createProfile } from '../../../viz/model/profile'
import { profileFromExact, profileFromFolded, profileFromStacks } from './build-profile'

const fixtures = join(__dirname, '..', '..', 'fixtures')
const byName = (g: CallGraph, n: string) => g.nodes.find((x) => x.name === n)!
const edge = (g: CallGraph, a: string, b: string) =>
  g.edges.find((e) => g.nodes[e.caller].name === a && g.nodes[e.callee].name === b)

test('recursion fixture: a and b are 90 % inclusive (gprof2dot says 0 %)', () => {
  const g = deriveCallGraph(profileFromFolded(readFileSync(join(fixtures, 'stackcollapse/recursion.txt'), 'utf8')))
  assert.is(g.total, 10)
  assert.is(byName(g, 'a').total / g.total, 0.9)
  assert.is(byName(g, 'b').total / g.total, 0.9)
  assert.is(byName(g, 'c').total, 4)
  assert.equal([byName(g, 'a').self, byName(g, 'b').self, byName(g, 'c').self], [1, 5, 4])
  // pairs once per stack: a→b is in 8 stacks, b→a in 7, a→a and b→b in one each
  assert.is(edge(g, 'a', 'b')!.weight, 8)
  assert.is(edge(g, 'b', 'a')!.weight, 7)
  assert.is(edge(g, 'a', 'a')!.weight, 1)
  assert.is(edge(g, 'b', 'b')!.weight, 1)
  assert.is(edge(g, 'a', 'c')!.weight, 2)
  assert.is(edge(g, 'b', 'c')!.weight, 2)
  assert.ok(byName(g, 'a').isRoot && byName(g, 'b').isRoot && !byName(g, 'c').isRoot)
})

// Independent oracle: per stack, the set of frames and the set of adjacent pairs.
function bruteForce(stacks: { frames: string[]; weight: number }[]) {
  const total = new Map<string, number>(), self = new Map<string, number>(), pairs = new Map<string, number>()
  for (const s of stacks) {
    for (const f of new Set(s.frames)) total.set(f, (total.get(f) ?? 0) + s.weight)
    const ps = new Set(s.frames.slice(1).map((f, i) => `${s.frames[i]}>${f}`))
    for (const p of ps) pairs.set(p, (pairs.get(p) ?? 0) + s.weight)
    const leaf = s.frames[s.frames.length - 1]
    self.set(leaf, (self.get(leaf) ?? 0) + s.weight)
  }
  return { total, self, pairs }
}

test('random recursive stacks: ACC, OWN and edges equal the per-stack oracle; sum OWN = total; spines hold', () => {
  let seed = 7
  const rnd = (n: number) => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n }
  const names = ['main', 'f', 'g', 'h', 'k', 'm']
  const stacks = Array.from({ length: 401 }, () => ({
    frames: Array.from({ length: 1 + rnd(9) }, (_, i) => (i === 0 ? 'main' : names[rnd(names.length)])),
    weight: 1 + rnd(13),
  }))
  const g = deriveCallGraph(profileFromStacks(stacks))
  const o = bruteForce(stacks)
  let sumSelf = 0
  for (const n of g.nodes) {
    assert.is(n.total, o.total.get(n.name), `ACC ${n.name}`)
    assert.is(n.self, o.self.get(n.name) ?? 0, `OWN ${n.name}`)
    sumSelf += n.self
  }
  assert.is(sumSelf, g.total)
  assert.is(g.total, stacks.reduce((s, x) => s + x.weight, 0))
  assert.is(g.edges.length, o.pairs.size)
  for (const e of g.edges) {
    const a = g.nodes[e.caller], b = g.nodes[e.callee]
    assert.is(e.weight, o.pairs.get(`${a.name}>${b.name}`), `edge ${a.name}>${b.name}`)
    assert.ok(a.total >= e.weight && b.total >= e.weight, 'ACC(caller) ≥ edge ≤ ACC(callee)')
  }
  assert.is(byName(g, 'main').total, g.total)
})

test('exact call counts from the tree are summed per function and per edge', () => {
  const g = deriveCallGraph(profileFromStacks([
    { frames: ['main', 'f'], weight: 10, calls: 3 },
    { frames: ['main', 'g', 'f'], weight: 5, calls: 2 },
  ]))
  assert.ok(g.hasCalls)
  assert.is(byName(g, 'f').calls, 5)
  assert.is(edge(g, 'main', 'f')!.calls, 3)
  assert.is(edge(g, 'g', 'f')!.calls, 2)
})

test('no calls in the input → calls are null, not 0', () => {
  const g = deriveCallGraph(profileFromFolded('a;b 3\na 1'))
  assert.not.ok(g.hasCalls)
  assert.is(byName(g, 'b').calls, null)
})

test('exact graphs take the producer figures; threads merge or one is chosen', () => {
  const p = profileFromExact([['main', 1, 100, 10], ['f', 7, 90, 90]], [['main', 'f', 7, 90]], 100)
  p.threads.push({ name: '<0.2.0>', exact: { functions: [{ frame: p.frames.intern({ name: 'f', kind: 'erlang' }), calls: 4, total: 11, self: 11 }], edges: [] } })
  const merged = deriveCallGraph(p)
  assert.equal([byName(merged, 'f').calls, byName(merged, 'f').self, byName(merged, 'f').total], [11, 101, 101])
  assert.is(merged.total, 111)
  const one = deriveCallGraph(p, { thread: '<0.2.0>' })
  assert.equal(one.nodes.map((n) => [n.name, n.calls, n.total]), [['f', 4, 11]])
  assert.throws(() => deriveCallGraph(p, { thread: 'nope' }), /no thread or process named 'nope'/)
  assert.is(edge(merged, 'main', 'f')!.calls, 7)
  assert.ok(byName(merged, 'main').isRoot)
})

test('functionCalls supply CNT when the tree has none', () => {
  const p = profileFromFolded('main;f 4')
  p.threads[0].functionCalls = new Map([[p.frames.intern({ name: 'f' }), 29]])
  const g = deriveCallGraph(p)
  assert.is(byName(g, 'f').calls, 29)
  assert.ok(g.hasCalls)
})

test('a 200 000-frame stack derives without recursion', () => {
  const p = createProfile('deep', 'test', 'samples')
  const tree = new CallTree()
  const ids = Array.from({ length: 200_000 }, (_, i) => p.frames.intern({ name: `f${i % 1000}` }))
  tree.addStack(ids, 3)
  p.threads.push({ name: 'main', tree })
  const g = deriveCallGraph(p)
  assert.is(g.nodes.length, 1000)
  for (const n of g.nodes) assert.is(n.total, 3)
  assert.is(g.total, 3)
})

test('threads merged: a tree thread with counts adds only to its own functions and edges', () => {
  // Thread 1: exact graph main→x, x's CNT unknown (null); thread 2: a tree with counts main→y.
  const p = profileFromExact([['main', 1, 10, 4], ['x', 3, 6, 6]], [['main', 'x', 3, 6]])
  p.threads[0].exact!.functions[1].calls = null
  p.threads[0].exact!.edges[0].calls = null
  const tree = new CallTree()
  const [main, y] = [p.frames.intern({ name: 'main', kind: 'erlang' }), p.frames.intern({ name: 'y' })]
  const leaf = tree.addStack([main, y], 5)
  tree.calls[leaf] = 7
  tree.calls[1] = 2
  tree.hasCalls = true
  p.threads.push({ name: 'tree', tree })
  const g = deriveCallGraph(p)
  assert.equal([byName(g, 'main').calls, byName(g, 'x').calls, byName(g, 'y').calls], [3, null, 7])
  assert.equal([byName(g, 'main').self, byName(g, 'main').total], [4, 15])
  assert.equal([edge(g, 'main', 'x')!.calls, edge(g, 'main', 'x')!.weight], [null, 6])
  assert.equal([edge(g, 'main', 'y')!.calls, edge(g, 'main', 'y')!.weight], [7, 5])
  assert.ok(byName(g, 'main').isRoot)
  assert.not.ok(byName(g, 'y').isRoot)
})

test.run()
