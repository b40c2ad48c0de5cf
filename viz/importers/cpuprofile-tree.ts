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

function idIndex(ids: number[], text: string, name: string): (id: unknown) => number {
  const n = ids.length
  let max = -1
  for (let i = 0; i < n; i++) {
    const id = ids[i]
    if (!Number.isInteger(id) || id < 0) { max = -1; break }
    if (id > max) max = id
  }
  const duplicate = (id: number) => new ParseError(name, idLine(text, id), `duplicate node id ${id}`)
  if (max >= 0 && max <= 4 * n + 1024) {
    const dense = new Int32Array(max + 1).fill(-1)
    for (let i = 0; i < n; i++) {
      if (dense[ids[i]] >= 0) throw duplicate(ids[i])
      dense[ids[i]] = i
    }
    return (id) => (typeof id === 'number' && Number.isInteger(id) && id >= 0 && id <= max ? dense[id] : -1)
  }
  const sparse = new Map<number, number>()
  for (let i = 0; i < n; i++) {
    if (sparse.has(ids[i])) throw duplicate(ids[i])
    sparse.set(ids[i], i)
  }
  return (id) => (typeof id === 'number' ? sparse.get(id) ?? -1 : -1)
}

/** What one pass over the nodes keeps: ids, frames, hit counts and the raw edges. */
interface Pass {
  ids: number[]
  frame: number[]
  hit: number[]
  /** Child lists: node index → child id, in input order. */
  kidFrom: number[]
  kidId: number[]
  /** `parent` fields: node index → parent id. */
  upFrom: number[]
  upId: number[]
  rootFrame: number
}

/** Edges parent → child (children lists first, then `parent` fields of nodes no list
 * names), as compressed rows: node i's children are list[start[i]] … list[start[i+1]-1]. */
function childRows(pass: Pass, indexOf: (id: unknown) => number, text: string, name: string): { start: Int32Array; list: Int32Array; parentOf: Int32Array } {
  const n = pass.ids.length
  const parentOf = new Int32Array(n).fill(-1)
  const from: number[] = [], to: number[] = []
  for (let e = 0; e < pass.kidFrom.length; e++) {
    const i = pass.kidFrom[e], k = indexOf(pass.kidId[e])
    if (k < 0) throw new ParseError(name, idLine(text, pass.ids[i]), `node ${pass.ids[i]} lists child ${pass.kidId[e]}, which does not exist`)
    parentOf[k] = i
    from.push(i); to.push(k)
  }
  for (let e = 0; e < pass.upFrom.length; e++) {
    const i = pass.upFrom[e], k = indexOf(pass.upId[e])
    if (k < 0) throw new ParseError(name, idLine(text, pass.ids[i]), `node ${pass.ids[i]} has parent ${pass.upId[e]}, which does not exist`)
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
 * Reads each node once as `feed` hands it over (interning its frame; the node itself is not
 * kept), then maps the nodes onto a CallTree parents first, without recursion: the V8 root
 * becomes the synthetic root, other parentless nodes hang below it.
 */
export function buildColumns(feed: (take: (node: RawNode) => void) => void, profile: Profile, tree: CallTree, frameOf: (cf: Record<string, unknown>) => FrameInfo, text: string, name: string): NodeColumns {
  const pass: Pass = { ids: [], frame: [], hit: [], kidFrom: [], kidId: [], upFrom: [], upId: [], rootFrame: -1 }
  feed((node) => {
    const i = pass.ids.length
    pass.ids.push(node.id)
    const info = frameOf(isObject(node.callFrame) ? node.callFrame : NO_FRAME)
    const f = profile.frames.intern(info)
    pass.frame.push(f)
    if (info.name === '(root)') pass.rootFrame = f
    const h = node.hitCount
    pass.hit.push(typeof h === 'number' ? checkWeight(h, name, () => idLine(text, node.id), `node ${node.id} hitCount`) : 0)
    if (Array.isArray(node.children)) {
      for (const c of node.children) if (typeof c === 'number') { pass.kidFrom.push(i); pass.kidId.push(c) }
    }
    if (typeof node.parent === 'number') { pass.upFrom.push(i); pass.upId.push(node.parent) }
  })
  const { ids, frame, rootFrame } = pass
  const n = ids.length
  const indexOf = idIndex(ids, text, name)
  const { start, list, parentOf } = childRows(pass, indexOf, text, name)
  pass.kidFrom = pass.kidId = pass.upFrom = pass.upId = []
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
  return { count: n, indexOf, hit: Float64Array.from(pass.hit), treeOf }
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

/** A node of the flat form, checked for shape (an object with a numeric id). */
export function flatNode(n: unknown, i: number, text: string, name: string): RawNode {
  if (!isObject(n) || typeof n.id !== 'number') throw new ParseError(name, lineOf(text, /"nodes"/), `nodes[${i}] has no numeric id`)
  return n as unknown as RawNode
}
