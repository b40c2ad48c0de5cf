// The node graph of a V8 CPU profile mapped onto a CallTree, in columns: node ids become
// dense indices (an Int32Array when the ids are small integers, as V8 writes them, else a
// Map), children become one compressed edge list, and every per-node figure lives in a
// typed array. A profile of 10^6 nodes then costs a few tens of MB beyond its frames,
// where an object and three Map entries per node cost hundreds.
import { CallTree, ParseError, type FrameInfo, type Profile } from '../model/profile'
import { isObject, lineOf } from './json-input'
import { checkWeight } from './weight-check'

/** One node as the input holds it: the flat form's object, or a node of the old tree form
 * with its children replaced by their ids. */
export interface RawNode {
  id: number
  callFrame?: unknown
  hitCount?: unknown
  children?: unknown
  parent?: unknown
}

export interface NodeColumns {
  count: number
  /** Index of a node id, or -1. */
  indexOf(id: unknown): number
  hit: Float64Array
  /** CallTree node of each input node. */
  treeOf: Int32Array
}

const NO_FRAME: Record<string, unknown> = {}

function idLine(text: string, id: number): number | undefined {
  return lineOf(text, new RegExp(`"id"\\s*:\\s*${id}(?![0-9])`))
}

function idIndex(nodes: RawNode[], text: string, name: string): (id: unknown) => number {
  const n = nodes.length
  let max = -1
  for (let i = 0; i < n; i++) {
    const id = nodes[i].id
    if (!Number.isInteger(id) || id < 0) { max = -1; break }
    if (id > max) max = id
  }
  const duplicate = (id: number) => new ParseError(name, idLine(text, id), `duplicate node id ${id}`)
  if (max >= 0 && max <= 4 * n + 1024) {
    const dense = new Int32Array(max + 1).fill(-1)
    for (let i = 0; i < n; i++) {
      const id = nodes[i].id
      if (dense[id] >= 0) throw duplicate(id)
      dense[id] = i
    }
    return (id) => (typeof id === 'number' && Number.isInteger(id) && id >= 0 && id <= max ? dense[id] : -1)
  }
  const sparse = new Map<number, number>()
  for (let i = 0; i < n; i++) {
    const id = nodes[i].id
    if (sparse.has(id)) throw duplicate(id)
    sparse.set(id, i)
  }
  return (id) => (typeof id === 'number' ? sparse.get(id) ?? -1 : -1)
}

/** Edges parent → child in input order (children lists first, then `parent` fields of nodes
 * no list names), as compressed rows: node i's children are list[start[i]] … list[start[i+1]-1]. */
function childRows(nodes: RawNode[], indexOf: (id: unknown) => number, text: string, name: string): { start: Int32Array; list: Int32Array; parentOf: Int32Array } {
  const n = nodes.length
  const parentOf = new Int32Array(n).fill(-1)
  const from: number[] = [], to: number[] = []
  for (let i = 0; i < n; i++) {
    const kids = nodes[i].children
    if (!Array.isArray(kids)) continue
    for (const c of kids) {
      if (typeof c !== 'number') continue
      const k = indexOf(c)
      if (k < 0) throw new ParseError(name, idLine(text, nodes[i].id), `node ${nodes[i].id} lists child ${c}, which does not exist`)
      parentOf[k] = i
      from.push(i); to.push(k)
    }
  }
  for (let i = 0; i < n; i++) {
    const p = nodes[i].parent
    if (typeof p !== 'number') continue
    const k = indexOf(p)
    if (k < 0) throw new ParseError(name, idLine(text, nodes[i].id), `node ${nodes[i].id} has parent ${p}, which does not exist`)
    if (parentOf[i] < 0) { parentOf[i] = k; from.push(k); to.push(i) }
  }
  const start = new Int32Array(n + 1)
  for (const f of from) start[f + 1]++
  for (let i = 0; i < n; i++) start[i + 1] += start[i]
  const fill = start.slice(0, n)
  const list = new Int32Array(from.length)
  for (let e = 0; e < from.length; e++) list[fill[from[e]]++] = to[e]
  return { start, list, parentOf }
}

/**
 * Interns every node's frame, then maps the nodes onto a CallTree parents first, without
 * recursion: the V8 root becomes the synthetic root, other parentless nodes hang below it.
 */
export function buildColumns(nodes: RawNode[], profile: Profile, tree: CallTree, frameOf: (cf: Record<string, unknown>) => FrameInfo, text: string, name: string, consume = false): NodeColumns {
  const n = nodes.length
  const indexOf = idIndex(nodes, text, name)
  const { start, list, parentOf } = childRows(nodes, indexOf, text, name)
  const ids = new Float64Array(n)
  const frame = new Int32Array(n)
  const hit = new Float64Array(n)
  let rootFrame = -1
  for (let i = 0; i < n; i++) {
    const node = nodes[i]
    ids[i] = node.id
    const info = frameOf(isObject(node.callFrame) ? node.callFrame : NO_FRAME)
    frame[i] = profile.frames.intern(info)
    if (info.name === '(root)') rootFrame = frame[i]
    const h = node.hitCount
    hit[i] = typeof h === 'number' ? checkWeight(h, name, () => idLine(text, node.id), `node ${node.id} hitCount`) : 0
    // The input's node is no longer needed: letting it go as the frames grow keeps the
    // parsed JSON and the profile from peaking together.
    if (consume) (nodes as (RawNode | null)[])[i] = null
  }
  const treeOf = new Int32Array(n).fill(-1)
  const queue = new Int32Array(n)
  let tail = 0
  for (let i = 0; i < n; i++) {
    if (parentOf[i] >= 0) continue
    treeOf[i] = frame[i] === rootFrame ? 0 : tree.child(0, frame[i])
    queue[tail++] = i
  }
  for (let q = 0; q < tail; q++) {
    const v = queue[q], t = treeOf[v]
    for (let e = start[v]; e < start[v + 1]; e++) {
      const c = list[e]
      if (treeOf[c] >= 0) continue
      treeOf[c] = tree.child(t, frame[c])
      queue[tail++] = c
    }
  }
  for (let i = 0; i < n; i++) {
    if (treeOf[i] < 0) throw new ParseError(name, idLine(text, ids[i]), `node ${ids[i]} is not reachable from the root (cycle)`)
  }
  return { count: n, indexOf, hit, treeOf }
}

/** Nodes of the old tree form, flattened without recursion; children become ids. */
export function flattenTree(head: Record<string, unknown>, text: string, name: string): RawNode[] {
  const out: RawNode[] = []
  const stack: Record<string, unknown>[] = [head]
  let nextId = 1 << 30
  while (stack.length) {
    const n = stack.pop()!
    const id = typeof n.id === 'number' ? n.id : nextId++
    const kids = Array.isArray(n.children) ? n.children : []
    const childIds: number[] = []
    for (const k of kids) {
      if (!isObject(k)) throw new ParseError(name, idLine(text, id), `node ${id} has a child that is not an object`)
      if (typeof k.id !== 'number') k.id = nextId++
      childIds.push(k.id as number)
      stack.push(k)
    }
    out.push({ id, callFrame: isObject(n.callFrame) ? n.callFrame : n, hitCount: n.hitCount, children: childIds })
  }
  return out
}

/** The flat form's nodes, checked for shape (an object with a numeric id each). */
export function flatNodes(nodes: unknown[], text: string, name: string): RawNode[] {
  for (let i = 0; i < nodes.length; i++) {
    const n = nodes[i]
    if (!isObject(n) || typeof n.id !== 'number') throw new ParseError(name, lineOf(text, /"nodes"/), `nodes[${i}] has no numeric id`)
  }
  return nodes as RawNode[]
}
