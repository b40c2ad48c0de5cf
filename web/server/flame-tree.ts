// A profile's calling-context trees (all threads merged) as a plain nested tree for the page's
// d3 partition: {n: name, f: file:line, v: self, c: children}. Cells below minShare of the total
// are folded into their parent's self weight so a 10^6-node profile stays a small document.
// Options, as the call graph has them: `focus` keeps only the stacks through a matching
// function (pprof's focus, flamegraph.pl's grep of folded stacks), `hidePseudo` drops
// (idle), (program), (garbage collector)… with their subtrees, so the rest fills the width.
import type { Profile } from '../../viz/model/profile'
import type { FlameCell } from '../shared/wire'

export type { FlameCell } from '../shared/wire'

export interface FlameTreeOptions { focus?: RegExp; hidePseudo?: boolean; minShare?: number; maxCells?: number }

interface Work { frame: number; self: number; total: number; kids: Map<number, Work> }

export function toFlameTree(p: Profile, o: FlameTreeOptions = {}): { unit: string; total: number; root: FlameCell } {
  const minShare = o.minShare ?? 0.0005, maxCells = o.maxCells ?? 20000
  const frames = p.frames.frames
  const pseudo = (f: number) => o.hidePseudo === true && frames[f]?.kind === 'pseudo'
  // By name, or by "name file:line" as the call graph's focus matches (two `(anonymous)` apart).
  const matches = o.focus ? frames.map((f) => !!f && (o.focus!.test(f.name) || (f.file !== undefined && o.focus!.test(`${f.name} ${f.file}${f.line !== undefined ? `:${f.line}` : ''}`)))) : undefined
  const root: Work = { frame: -1, self: 0, total: 0, kids: new Map() }
  for (const t of p.threads) {
    const tree = t.tree
    if (!tree) continue
    const at: (Work | null)[] = new Array(tree.size)
    // on[v]: a matching frame lies on the path root..v (focus); off: v is under a hidden frame.
    const on = new Uint8Array(tree.size)
    at[0] = root
    on[0] = matches ? 0 : 1
    if (on[0]) root.self += tree.self[0]
    for (let v = 1; v < tree.size; v++) {
      const f = tree.frame[v], parent = at[tree.parent[v]]
      on[v] = on[tree.parent[v]] || (matches?.[f] ? 1 : 0)
      if (!parent || pseudo(f)) { at[v] = null; continue }
      let w = parent.kids.get(f)
      if (!w) { w = { frame: f, self: 0, total: 0, kids: new Map() }; parent.kids.set(f, w) }
      at[v] = w
    }
    // Self weights go to every cell whose own path qualifies; totals are summed bottom-up
    // below, so an unfocused path (or a hidden subtree) weighs nothing.
    for (let v = 1; v < tree.size; v++) if (at[v] && on[v]) at[v]!.self += tree.self[v]
  }
  sumIterative(root)
  const min = root.total * minShare
  let cells = 0
  // Iterative conversion (a 200 000-frame stack must not overflow the JS stack).
  const out: FlameCell = { n: p.name, v: root.self }
  const todo: [Work, FlameCell][] = [[root, out]]
  while (todo.length) {
    const [w, cell] = todo.pop()!
    for (const k of w.kids.values()) {
      if (k.total <= 0) continue
      if (k.total < min || cells >= maxCells) { cell.v += k.total; continue }
      const f = frames[k.frame]
      const child: FlameCell = { n: f?.name ?? '?', v: k.self }
      if (f?.file) child.f = f.line !== undefined ? `${f.file}:${f.line}` : f.file
      if (f?.kind === 'pseudo') child.k = 'pseudo'
      ;(cell.c ??= []).push(child)
      cells++
      todo.push([k, child])
    }
  }
  return { unit: p.unit, total: root.total, root: out }
}

/** Sets every cell's total (self + its subtree) without recursion. */
function sumIterative(root: Work): void {
  const order: Work[] = []
  const stack = [root]
  while (stack.length) { const w = stack.pop()!; order.push(w); for (const k of w.kids.values()) stack.push(k) }
  for (let i = order.length - 1; i >= 0; i--) {
    const w = order[i]
    let t = w.self
    for (const k of w.kids.values()) t += k.total
    w.total = t
  }
}
