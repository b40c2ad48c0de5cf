// toFlameSvg(profile) → a standalone flame graph SVG (root at the bottom, like Brendan
// Gregg's FlameGraph), laid out with d3-hierarchy's partition over the calling-context
// tree (all threads merged under one root). Every name is XML-escaped; each rectangle has
// a <title> tooltip with the full stack frame name, file:line, ACC and OWN. Frames narrower
// than `minWidthPx` or deeper than `maxDepth` are not drawn (their weight still counts in
// their parents). d3's hierarchy() computes heights in O(depth²) on a chain (80 s for a
// 200 000-frame stack), so nodes are made one at a time with hierarchy() and linked here.
import { hierarchy, partition, type HierarchyNode, type HierarchyRectangularNode } from 'd3-hierarchy'
import { OptionError, type Profile } from '../model/profile'
import { formatPercent, formatValue } from './format-value'
import { heatColor, PSEUDO_FILL } from './palette'
import { escapeXml } from './xml-escape'

export interface FlameOptions {
  width?: number
  rowHeight?: number
  minWidthPx?: number
  title?: string
  /** Rows drawn at most (default 2000); deeper frames are summarised in the title. */
  maxDepth?: number
}

export interface Cell {
  frame: number
  self: number
  /** Weight of descendants too narrow to draw, kept so ACC (the d3 sum) stays exact. */
  hidden: number
  children: Cell[]
}

/**
 * Merges every thread's CCT into one tree of plain cells, iteratively. Contexts whose
 * inclusive weight is below `minWeight` / threads cannot make a drawable cell even when
 * merged, so they (and their subtrees) become `hidden` weight of their parent cell: a 40 MB
 * folded file with 3.66 M contexts then makes a few thousand cells, not 3.66 M objects.
 */
export function mergedTree(p: Profile, minWeight: number): Cell {
  const root: Cell = { frame: -1, self: 0, hidden: 0, children: [] }
  const threads = p.threads.filter((t) => t.tree)
  const cut = minWeight / Math.max(1, threads.length)
  for (const t of threads) {
    const tree = t.tree!
    const incl = tree.inclusive()
    const cellOf: (Cell | null)[] = new Array(tree.size).fill(null)
    cellOf[0] = root
    root.self += tree.self[0]
    const index = new Map<Cell, Map<number, Cell>>()
    for (let v = 1; v < tree.size; v++) {
      const parent = cellOf[tree.parent[v]]
      if (parent === null) continue // inside a subtree already charged to an ancestor
      if (incl[v] < cut) { parent.hidden += incl[v]; continue }
      let kids = index.get(parent)
      if (!kids) { kids = new Map(parent.children.map((c) => [c.frame, c])); index.set(parent, kids) }
      let c = kids.get(tree.frame[v])
      if (!c) { c = { frame: tree.frame[v], self: 0, hidden: 0, children: [] }; kids.set(c.frame, c); parent.children.push(c) }
      c.self += tree.self[v]
      cellOf[v] = c
    }
  }
  return root
}

/** The total weight of every thread's stacks (the flame graph's full width). */
function stackTotal(p: Profile): number {
  let total = 0
  for (const t of p.threads) if (t.tree) total += t.tree.inclusive()[0]
  return total
}

/** d3 HierarchyNodes for the cell tree, linked iteratively; heights computed in one sweep. */
function toHierarchy(top: Cell): HierarchyNode<Cell> {
  const root = hierarchy<Cell>(top, () => undefined)
  const order: HierarchyNode<Cell>[] = [root]
  for (let i = 0; i < order.length; i++) {
    const n = order[i]
    if (!n.data.children.length) continue
    n.children = n.data.children.map((c) => {
      const k = hierarchy<Cell>(c, () => undefined)
      ;(k as { parent: HierarchyNode<Cell> | null }).parent = n
      ;(k as { depth: number }).depth = n.depth + 1
      order.push(k)
      return k
    })
  }
  for (let i = order.length - 1; i > 0; i--) {
    const n = order[i], up = n.parent!
    if (up.height < n.height + 1) (up as { height: number }).height = n.height + 1
  }
  return root
}

export function toFlameSvg(p: Profile, o: FlameOptions = {}): string {
  const width = o.width ?? 1200, rowH = o.rowHeight ?? 16, minW = o.minWidthPx ?? 0.3, maxDepth = o.maxDepth ?? 2000
  const all = stackTotal(p)
  const root = toHierarchy(mergedTree(p, (all * minW) / width)).sum((c) => c.self + c.hidden)
  const total = root.value ?? 0
  if (!(total > 0)) throw new OptionError('flame graph: the profile has no stack samples (an exact profile has no stacks; draw its call graph instead)')
  const hidden = Math.max(0, root.height + 1 - maxDepth)
  const depth = Math.min(root.height + 1, maxDepth)
  const height = depth * rowH + 40
  const laid = partition<Cell>().size([width, depth * rowH]).padding(0)(root)
  const frames = p.frames.frames
  const out: string[] = []
  const title = escapeXml((o.title ?? p.name) + (hidden ? ` (${hidden} deepest rows not drawn)` : ''))
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="11">`)
  out.push(`<rect width="100%" height="100%" fill="#ffffff"/>`)
  out.push(`<text x="${width / 2}" y="16" text-anchor="middle" font-size="14">${title} — ${escapeXml(formatValue(total, p.unit))}</text>`)
  laid.each((n: HierarchyRectangularNode<Cell>) => {
    const w = n.x1 - n.x0
    if (w < minW || n.depth >= maxDepth) return
    const f = n.data.frame >= 0 ? frames[n.data.frame] : undefined
    const name = f ? f.name : 'all'
    const y = height - (n.depth + 1) * rowH
    const fill = f && f.kind === 'pseudo' ? PSEUDO_FILL : heatColor(0.15 + 0.6 * ((hash(name) % 1000) / 1000))
    const loc = f && f.file ? `\n${f.file}${f.line !== undefined ? `:${f.line}` : ''}` : ''
    const tip = `${name}${loc}\nACC ${formatValue(n.value ?? 0, p.unit)} (${formatPercent(n.value ?? 0, total)})\nOWN ${formatValue(n.data.self, p.unit)} (${formatPercent(n.data.self, total)})`
    const chars = Math.floor((w - 6) / 6.5)
    const label = chars >= 3 ? (name.length > chars ? name.slice(0, chars - 1) + '…' : name) : ''
    out.push(`<g><title>${escapeXml(tip)}</title><rect x="${n.x0.toFixed(2)}" y="${y}" width="${w.toFixed(2)}" height="${rowH - 1}" fill="${fill}" rx="2"/>` +
      (label ? `<text x="${(n.x0 + 3).toFixed(2)}" y="${y + rowH - 5}">${escapeXml(label)}</text>` : '') + '</g>')
  })
  out.push('</svg>')
  return out.join('\n') + '\n'
}

function hash(s: string): number {
  let h = 2166136261
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619)
  return h >>> 0
}
