// Stacks estimated from an exact call graph (what `sonde flame` draws for fprof and
// callgrind): on a graph whose contexts really are proportional, the estimate is the true
// folded profile; recursion is cut, not looped; on the fprof fixture the estimate's weight is
// the sum of OWN reachable from the entry.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import path from 'node:path'
import type { CallGraph, CallGraphNode } from '../../../viz/model/call-graph'
import { estimateStacks } from '../../../viz/graph/estimate-stacks'
import { toFolded } from '../../../viz/writers/folded'
import { importProfileFile } from '../../../viz/importers'
import { deriveCallGraph } from '../../../viz/graph/derive'

function graph(nodes: [string, number, number, boolean?][], edges: [number, number, number][]): CallGraph {
  const ns: CallGraphNode[] = nodes.map(([name, self, total, isRoot], id) => ({ id, name, key: name, kind: 'other', self, total, calls: null, isRoot: !!isRoot }))
  const total = ns.reduce((s, n) => s + n.self, 0)
  return { name: 'g', unit: 'microseconds', total, whole: total, nodes: ns, edges: edges.map(([caller, callee, weight]) => ({ caller, callee, weight, calls: null })), hasCalls: false, totalCalls: null, meta: {} }
}

test('proportional contexts: the estimate is the true folded profile', () => {
  // Truth: main 10, main;a 20, main;a;c 40, main;b 20, main;b;c 10.
  const g = graph([['main', 10, 100, true], ['a', 20, 60], ['b', 20, 30], ['c', 50, 50]], [[0, 1, 60], [0, 2, 30], [1, 3, 40], [2, 3, 10]])
  assert.is(toFolded(estimateStacks(g)), 'main 10\nmain;a 20\nmain;a;c 40\nmain;b 20\nmain;b;c 10\n')
})

test('recursion: a callee already on the path is not expanded (no loop), self edges ignored', () => {
  const g = graph([['main', 0, 10, true], ['a', 4, 10], ['b', 2, 6]], [[0, 1, 10], [1, 2, 6], [2, 1, 4], [1, 1, 3]])
  // a: W 10 = 4 own + 6 to b; b: W 6 = 2 own + 4 back to a, which is on the path: left out.
  assert.is(toFolded(estimateStacks(g)), 'main;a 4\nmain;a;b 2\n')
})

test('fprof fixture: every reachable OWN is drawn once (within rounding)', async () => {
  const p = await importProfileFile(path.resolve(__dirname, '../../../test/fixtures/fprof/fib.default.analysis'))
  const g = deriveCallGraph(p, {})
  const est = estimateStacks(g, { minWeight: 0 })
  const drawn = est.threads[0].tree!.inclusive()[0]
  assert.ok(Math.abs(drawn - g.total) <= 1e-6 * g.total, `${drawn} vs ΣOWN ${g.total}`)
})

test.run()
