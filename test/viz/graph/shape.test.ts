import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { buildCallGraph, shapeCallGraph } from '../../../viz/graph/shape'
import { deriveCallGraph } from '../../../viz/graph/derive'
import type { CallGraph } from '../../../viz/model/call-graph'
import { profileFromExact, profileFromFolded, profileFromStacks } from './build-profile'

const node = (g: CallGraph, n: string) => g.nodes.find((x) => x.name === n)
const edges = (g: CallGraph) => g.edges.map((e) => `${g.nodes[e.caller].name}${e.elided ? '~>' : '->'}${g.nodes[e.callee].name} ${e.weight}`).sort()

function reachableFromRoots(g: CallGraph): Set<number> {
  const seen = new Set(g.nodes.filter((n) => n.isRoot).map((n) => n.id))
  const todo = [...seen]
  while (todo.length) {
    const v = todo.pop()!
    for (const e of g.edges) if (e.caller === v && !seen.has(e.callee)) { seen.add(e.callee); todo.push(e.callee) }
  }
  return seen
}

test('dropped intermediates become one aggregate dashed edge carrying the flow', () => {
  const p = profileFromFolded('main;m1;x 10\nmain;m2;x 10\nmain;m1 1\nmain;m2 1')
  const g = buildCallGraph(p, { budget: 2, nodeThres: 0 })
  assert.equal(g.nodes.map((n) => n.name), ['main', 'x'])
  assert.equal(edges(g), ['main~>x 20'])
  assert.is(g.total, 22)
})

test('budget keeps the graph connected: every kept node reachable from a kept root', () => {
  let seed = 11
  const rnd = (n: number) => { seed = (seed * 1103515245 + 12345) & 0x7fffffff; return seed % n }
  const stacks = Array.from({ length: 3001 }, () => ({
    frames: ['main', ...Array.from({ length: 1 + rnd(12) }, (_, i) => `L${i}_${rnd(6 + i * 3)}`)],
    weight: 1 + rnd(50),
  }))
  const full = deriveCallGraph(profileFromStacks(stacks))
  for (const budget of [5, 17, 40]) {
    const g = shapeCallGraph(full, { budget, nodeThres: 0, edgeThres: 0.5 })
    assert.is(g.nodes.length, budget)
    const r = reachableFromRoots(g)
    assert.is(r.size, g.nodes.length, `budget ${budget}: ${g.nodes.length - r.size} islands`)
    assert.ok(g.edges.some((e) => e.elided), 'some paths are elided')
    for (const e of g.edges) assert.ok(e.weight <= g.nodes[e.caller].total + 1e-9 && e.weight <= g.nodes[e.callee].total + 1e-9, 'edge ≤ ACC of both ends')
  }
})

test('node and edge thresholds are percentages of the whole', () => {
  const p = profileFromFolded('main;big 995\nmain;small 4\nmain;tiny 1')
  const g = buildCallGraph(p, {})
  assert.equal(g.nodes.map((n) => n.name).sort(), ['big', 'main'])
  const g2 = buildCallGraph(p, { nodeThres: 0.1, edgeThres: 0.2 })
  assert.equal(g2.nodes.map((n) => n.name).sort(), ['big', 'main', 'small', 'tiny'])
  // main->tiny (0.1 %) is under 0.2 % but tiny would float free: it is tied back, solid
  assert.equal(edges(g2), ['main->big 995', 'main->small 4', 'main->tiny 1'])
  const q = profileFromFolded('main;a;c 500\nmain;b 495\nmain;b;c 1\nmain 4')
  assert.not.ok(edges(buildCallGraph(q, { edgeThres: 0.2 })).includes('b->c 1'), 'b->c 0.1 % < 0.2 % and c is reached through a')
  assert.ok(edges(buildCallGraph(q, { edgeThres: 0.1 })).includes('b->c 1'))
})

test('--hide charges the hidden frame to its caller; --ignore drops the subtree', () => {
  const p = profileFromFolded('main;lib;x 5\nmain;lib 3\nmain 2')
  const h = buildCallGraph(p, { hide: /^lib$/, nodeThres: 0 })
  assert.equal([node(h, 'main')!.self, node(h, 'x')!.total, h.total], [5, 5, 10])
  assert.is(node(h, 'lib'), undefined)
  assert.equal(edges(h), ['main->x 5'])
  const i = buildCallGraph(p, { ignore: /^lib$/, nodeThres: 0 })
  assert.equal(i.nodes.map((n) => n.name), ['main'])
  assert.is(i.total, 2)
})

test('--hide-pseudo removes (program)/(idle) frames', () => {
  const p = profileFromFolded('(root);main;f 5\n(root);(idle) 7\n(root);(program) 1')
  const g = buildCallGraph(p, { hidePseudo: true, nodeThres: 0 })
  assert.equal(g.nodes.map((n) => n.name).sort(), ['f', 'main'])
  assert.is(g.total, 5)
})

test('--focus keeps matches with their callers and callees only; --root/--leaf/--depth', () => {
  const p = profileFromFolded('main;a;b;c 1\nmain;x;y 1\nmain;a;z 1')
  const f = buildCallGraph(p, { focus: /^b$/, nodeThres: 0 })
  assert.equal(f.nodes.map((n) => n.name).sort(), ['a', 'b', 'c', 'main'])
  assert.equal(buildCallGraph(p, { root: /^a$/, nodeThres: 0 }).nodes.map((n) => n.name).sort(), ['a', 'b', 'c', 'z'])
  assert.equal(buildCallGraph(p, { leaf: /^y$/, nodeThres: 0 }).nodes.map((n) => n.name).sort(), ['main', 'x', 'y'])
  assert.equal(buildCallGraph(p, { depth: 1, nodeThres: 0 }).nodes.map((n) => n.name).sort(), ['a', 'main', 'x'])
  assert.throws(() => buildCallGraph(p, { focus: /nothing/ }), /^focus nothing: matches no function$/)
})

test('--invert reverses edges; figures unchanged', () => {
  const g = buildCallGraph(profileFromFolded('main;f;g 3\nmain;g 1'), { invert: true, nodeThres: 0 })
  assert.equal(edges(g), ['f->main 3', 'g->f 3', 'g->main 1'])
  assert.ok(node(g, 'g')!.isRoot)
  assert.is(node(g, 'main')!.total, 4)
})

test('exact graphs: --hide shares OWN and callees among callers by edge weight', () => {
  const p = profileFromExact(
    [['main', 1, 100, 10], ['a', 2, 60, 0], ['b', 1, 30, 10], ['lib', 3, 80, 40], ['leaf', 5, 40, 40]],
    [['main', 'a', 2, 60], ['main', 'b', 1, 30], ['a', 'lib', 2, 60], ['b', 'lib', 1, 20], ['lib', 'leaf', 5, 40]])
  const g = buildCallGraph(p, { hide: /^lib$/, nodeThres: 0, edgeThres: 0 })
  assert.is(node(g, 'a')!.self, 30)
  assert.is(node(g, 'b')!.self, 20)
  assert.equal(edges(g).filter((e) => e.includes('leaf')), ['a->leaf 30', 'b->leaf 10'])
  assert.is(g.total, 100)
})

test('metric must fit the profile', () => {
  const p = profileFromFolded('a 1')
  assert.throws(() => buildCallGraph(p, { metric: 'bytes' }), /^metric bytes: this profile measures samples/)
  assert.throws(() => buildCallGraph(p, { metric: 'calls' }), /no call counts/)
  assert.throws(() => buildCallGraph(p, { nodeThres: -1 }), /^nodeThres must be a percentage/)
})

test.run()
