// CallTree storage: typed-array columns grown by doubling (bounded bytes per context), lazy
// call counts, depth derived from parents, children rows in creation order after growth.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { CallTree } from '../../../viz/model/profile'

/** Builds `n` contexts in a shape like the worst-case folded file: long, mostly new paths. */
function bushy(n: number): { t: CallTree; made: number[] } {
  const t = new CallTree()
  const made: number[] = []
  let node = 0, seed = 42
  for (let i = 0; made.length < n; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0
    if (i % 13 === 0) node = 0
    node = t.child(node, (seed >>> 8) % 601)
    if (node === made.length + 1) made.push(node)
  }
  return { t, made }
}

test('columns are typed arrays: parent/frame Int32, self Float64; no calls column until used', () => {
  const t = new CallTree()
  const a = t.child(0, 3)
  assert.instance(t.parent, Int32Array)
  assert.instance(t.frame, Int32Array)
  assert.instance(t.self, Float64Array)
  assert.is(t.parent[0], -1)
  assert.is(t.frame[0], -1)
  assert.is(t.parent[a], 0)
  assert.is(t.frame[a], 3)
  assert.is((t as unknown as { _calls?: Float64Array })._calls, undefined)
  t.calls[a] += 5
  assert.instance(t.calls, Float64Array)
  assert.is(t.calls[a], 5)
})

test('1 000 003 contexts cost at most 48 bytes each in columns + index (number[] columns cost ~110)', () => {
  const N = 1_000_003
  const { t } = bushy(N)
  assert.is(t.size, N + 1)
  const inner = t as unknown as { slots: Int32Array }
  const bytes = t.parent.byteLength + t.frame.byteLength + t.self.byteLength + inner.slots.byteLength
  // Doubling: capacity < 2 × size; slots ≤ 4 × size Int32.
  assert.ok(t.parent.length >= t.size && t.parent.length < 2 * t.size, `capacity ${t.parent.length}`)
  assert.ok(bytes / t.size <= 48, `${(bytes / t.size).toFixed(1)} bytes per context`)
})

test('growth keeps every value: self, calls and lookups survive many doublings', () => {
  const t = new CallTree(2)
  const made: number[] = []
  for (let i = 0; i < 50_021; i++) {
    const n = t.child(i % 97, i)
    made.push(n)
    t.self[n] += i
    if (i % 2) t.calls[n] += 1
  }
  let sum = 0, calls = 0
  for (let v = 1; v < t.size; v++) { sum += t.self[v]; calls += t.calls[v] }
  assert.is(sum, (50_020 * 50_021) / 2)
  assert.is(calls, 25_010)
  for (let i = 0; i < 50_021; i += 101) assert.is(t.child(i % 97, i), made[i])
  assert.is(t.size, 50_022)
})

test('depthOf walks parents; children rows stay in creation order and follow growth', () => {
  const t = new CallTree()
  const deep = t.addStack([1, 2, 3, 4, 5, 6, 7], 1)
  assert.is(t.depthOf(deep), 7)
  assert.is(t.depthOf(0), 0)
  const first = t.child(0, 9)
  assert.equal([...t.children(0)], [1, first])
  const later = t.child(0, 8) // created after the rows were built: rows must be rebuilt
  assert.equal([...t.children(0)], [1, first, later])
  assert.equal([...t.children(deep)], [])
  assert.equal([...t.children(deep - 1)], [deep])
})

test('inclusive() is sized to the tree, not to the capacity', () => {
  const t = new CallTree()
  t.addStack([1, 2], 3)
  t.addStack([1, 4], 4)
  const incl = t.inclusive()
  assert.is(incl.length, t.size)
  assert.equal([...incl], [7, 7, 3, 4])
})

test.run()
