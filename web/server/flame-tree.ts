// A profile's calling-context trees (all threads merged) as a plain nested tree for the page's
// d3 partition: {n: name, f: file:line, v: self, c: children}. Cells below minShare of the total
// are folded into their parent's self weight so a 10^6-node profile stays a small document.
import type { Profile } from '../../viz/model/profile'
import type { FlameCell } from '../shared/wire'

export type { FlameCell } from '../shared/wire'

interface Work { frame: number; self: number; total: number; kids: Map<number, Work> }

export function toFlameTree(p: Profile, minShare = 0.0005, maxCells = 20000): { unit: string; total: number; root: FlameCell } {
  const root: Work = { frame: -1, self: 0, total: 0, kids: new Map() }
  for (const t of p.threads) {
    const tree = t.tree
    if (!tree) continue
    const incl = tree.inclusive()
    const at: Work[] = new Array(tree.size)
    at[0] = root
    root.total += incl[0]
    root.self += tree.self[0]
    for (let v = 1; v < tree.size; v++) {
      const parent = at[tree.parent[v]]
      let w = parent.kids.get(tree.frame[v])
      if (!w) { w = { frame: tree.frame[v], self: 0, total: 0, kids: new Map() }; parent.kids.set(tree.frame[v], w) }
      w.self += tree.self[v]
      w.total += incl[v]
      at[v] = w
    }
  }
  const min = root.total * minShare
  const frames = p.frames.frames
  let cells = 0
  // Iterative conversion (a 200 000-frame stack must not overflow the JS stack).
  const out: FlameCell = { n: p.name, v: root.self }
  const todo: [Work, FlameCell][] = [[root, out]]
  while (todo.length) {
    const [w, cell] = todo.pop()!
    for (const k of w.kids.values()) {
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
