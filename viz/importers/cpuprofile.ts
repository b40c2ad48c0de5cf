// V8 CPU profiles (.cpuprofile), both shapes:
//  - flat (Chrome DevTools ≥ 58, `node --cpu-prof`): nodes[] with id, callFrame, children
//    (or parent), samples[] of node ids and timeDeltas[] in µs;
//  - old tree (Node ≤ 10 era `v8-profiler`): head{functionName, url, lineNumber, id,
//    hitCount, children[]}, samples[] and absolute timestamps[] in µs.
// Spec: Chrome DevTools Protocol, Profiler.Profile / Profiler.ProfileNode
// (chromedevtools.github.io/devtools-protocol/tot/Profiler/).
//   {"nodes":[{"id":1,"callFrame":{"functionName":"(root)","url":"",...},"children":[2]},...],
//    "startTime":163140599286,"endTime":163140647178,"samples":[2,5],"timeDeltas":[11575,1060]}
// Unit: microseconds. A sample weighs the time to the next sample (as DevTools does); the
// last one weighs endTime − its time, or the previous interval when endTime is unusable
// (the old form stores it in seconds). Negative deltas (V8 emits a few) count as 0.
// Without timestamps the unit is samples (hitCount or one per sample).
import { createProfile, CallTree, ParseError, type Profile, type FrameInfo, type SampleSequence } from '../model/profile'
import { isObject, jsonHeadHas, lineOf, parseJson } from './json-input'
import { checkWeight } from './weight-check'

export interface V8Node {
  id: number
  frame: FrameInfo
  hitCount: number
  children: number[]
  parent?: number
}

export function isCpuprofile(head: string): boolean {
  return jsonHeadHas(head, ['nodes', 'head']) && !/"selfSize"/.test(head.slice(0, 8192))
}

export function v8Frame(cf: Record<string, unknown>): FrameInfo {
  const fn = typeof cf.functionName === 'string' ? cf.functionName : ''
  const url = typeof cf.url === 'string' ? cf.url : ''
  const line = typeof cf.lineNumber === 'number' && cf.lineNumber >= 0 ? cf.lineNumber + 1 : undefined
  const column = typeof cf.columnNumber === 'number' && cf.columnNumber >= 0 ? cf.columnNumber + 1 : undefined
  // '(program)', '(garbage collector)', '(V8 API)': kind left to FrameTable (pseudo or other).
  const info: FrameInfo = { name: fn || '(anonymous)' }
  if (!/^\(.*\)$/.test(fn)) info.kind = 'js'
  if (url) { info.file = url; info.module = url.replace(/^.*[/\\]/, '') }
  if (line !== undefined) info.line = line
  if (column !== undefined) info.column = column
  return info
}

function idLine(text: string, id: number): number | undefined {
  return lineOf(text, new RegExp(`"id"\\s*:\\s*${id}(?![0-9])`))
}

function hitCountOf(n: Record<string, unknown>, id: number, text: string, name: string): number {
  return typeof n.hitCount === 'number' ? checkWeight(n.hitCount, name, () => idLine(text, id), `node ${id} hitCount`) : 0
}

/** Nodes of the old tree form, flattened without recursion. */
function flattenTree(head: Record<string, unknown>, text: string, name: string): V8Node[] {
  const out: V8Node[] = []
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
    const cf = isObject(n.callFrame) ? n.callFrame : n
    out.push({ id, frame: v8Frame(cf), hitCount: hitCountOf(n, id, text, name), children: childIds })
  }
  return out
}

function flatNodes(nodes: unknown[], text: string, name: string): V8Node[] {
  return nodes.map((n, i) => {
    if (!isObject(n) || typeof n.id !== 'number') throw new ParseError(name, lineOf(text, /"nodes"/), `nodes[${i}] has no numeric id`)
    const cf = isObject(n.callFrame) ? n.callFrame : {}
    const children = Array.isArray(n.children) ? n.children.filter((c): c is number => typeof c === 'number') : []
    const v: V8Node = { id: n.id, frame: v8Frame(cf), hitCount: hitCountOf(n, n.id, text, name), children }
    if (typeof n.parent === 'number') v.parent = n.parent
    return v
  })
}

/** Maps each V8 node to a CallTree node, parents first, without recursion. */
export function buildTree(nodes: V8Node[], profile: Profile, text: string, name: string): { tree: CallTree; treeOf: Map<number, number> } {
  const byId = new Map<number, V8Node>()
  for (const n of nodes) {
    if (byId.has(n.id)) throw new ParseError(name, idLine(text, n.id), `duplicate node id ${n.id}`)
    byId.set(n.id, n)
  }
  const parentOf = new Map<number, number>()
  for (const n of nodes) {
    for (const c of n.children) {
      if (!byId.has(c)) throw new ParseError(name, idLine(text, n.id), `node ${n.id} lists child ${c}, which does not exist`)
      parentOf.set(c, n.id)
    }
  }
  for (const n of nodes) {
    if (n.parent === undefined) continue
    if (!byId.has(n.parent)) throw new ParseError(name, idLine(text, n.id), `node ${n.id} has parent ${n.parent}, which does not exist`)
    if (!parentOf.has(n.id)) { parentOf.set(n.id, n.parent); byId.get(n.parent)!.children.push(n.id) }
  }
  const tree = new CallTree()
  const treeOf = new Map<number, number>()
  const queue: number[] = []
  for (const n of nodes) {
    if (parentOf.has(n.id)) continue
    // The V8 root becomes the synthetic root; other parentless nodes hang below it.
    treeOf.set(n.id, n.frame.name === '(root)' ? 0 : tree.child(0, profile.frames.intern(n.frame)))
    queue.push(n.id)
  }
  for (let q = 0; q < queue.length; q++) {
    const n = byId.get(queue[q])!
    const t = treeOf.get(n.id)!
    for (const c of n.children) {
      if (treeOf.has(c)) continue
      treeOf.set(c, tree.child(t, profile.frames.intern(byId.get(c)!.frame)))
      queue.push(c)
    }
  }
  for (const n of nodes) {
    if (!treeOf.has(n.id)) throw new ParseError(name, idLine(text, n.id), `node ${n.id} is not reachable from the root (cycle)`)
  }
  return { tree, treeOf }
}

/** Sample times in µs, one per sample, or null when the input has none usable. */
// Times are µs and may be negative (V8 writes out-of-order deltas), each within ±2^53.
function sampleTimes(p: Record<string, unknown>, count: number, text: string, name: string): number[] | null {
  const time = (v: unknown, key: string, what: string) => checkWeight(v, name, () => lineOf(text, new RegExp(`"${key}"`)), what, { signed: true })
  if (Array.isArray(p.timeDeltas) && p.timeDeltas.length === count) {
    const out: number[] = new Array(count)
    let t = p.startTime === undefined ? 0 : time(p.startTime, 'startTime', 'startTime')
    for (let i = 0; i < count; i++) { t += time(p.timeDeltas[i], 'timeDeltas', `timeDeltas[${i}]`); out[i] = t }
    return out
  }
  if (Array.isArray(p.timestamps) && (p.timestamps.length === count || p.timestamps.length === count + 1)) {
    return p.timestamps.slice(p.timestamps.length - count).map((x, i) => time(x, 'timestamps', `timestamps[${i}]`))
  }
  return null
}

export function cpuprofileFromJson(p: unknown, text: string, name: string): Profile | null {
  if (!isObject(p)) return null
  const isFlat = Array.isArray(p.nodes)
  if (!isFlat && !isObject(p.head)) return null
  const profile = createProfile(name, 'cpuprofile', 'microseconds')
  const nodes = isFlat ? flatNodes(p.nodes as unknown[], text, name) : flattenTree(p.head as Record<string, unknown>, text, name)
  const { tree, treeOf } = buildTree(nodes, profile, text, name)
  const rootLeaf = (id: number): number => {
    const t = treeOf.get(id)!
    return t === 0 ? tree.child(0, profile.frames.intern({ name: '(root)', kind: 'pseudo' })) : t
  }
  const samples = Array.isArray(p.samples) ? p.samples : null
  let seq: SampleSequence | undefined
  const times = samples ? sampleTimes(p, samples.length, text, name) : null
  if (samples && samples.length > 0) {
    const last = samples.length - 1
    const end = typeof p.endTime === 'number' && times ? checkWeight(p.endTime, name, () => lineOf(text, /"endTime"/), 'endTime', { signed: true }) : NaN
    let clamped = 0
    seq = { leaf: new Int32Array(samples.length), weight: new Float64Array(samples.length) }
    for (let i = 0; i < samples.length; i++) {
      const id = samples[i]
      if (typeof id !== 'number' || !treeOf.has(id)) {
        throw new ParseError(name, lineOf(text, /"samples"/), `sample ${i} refers to node ${String(id)}, which does not exist`)
      }
      let w = 1
      if (times) {
        w = i < last ? times[i + 1] - times[i] : end >= times[i] ? end - times[i] : i > 0 ? times[i] - times[i - 1] : 0
        if (w < 0) { w = 0; clamped++ }
      }
      const leaf = rootLeaf(id)
      tree.self[leaf] += w
      seq.leaf[i] = leaf
      seq.weight[i] = w
    }
    if (clamped) profile.meta.negativeDeltas = clamped
    profile.meta.samples = samples.length
    if (!times) profile.unit = 'samples'
  } else {
    profile.unit = 'samples'
    for (const n of nodes) if (n.hitCount > 0) tree.self[rootLeaf(n.id)] += n.hitCount
  }
  profile.meta.shape = isFlat ? 'flat' : 'tree'
  profile.threads.push({ name: 'main', tree, startValue: times?.[0], endValue: times?.[times.length - 1], ...(seq ? { samples: seq } : {}) })
  return profile
}

export function importFromCpuprofile(text: string, name: string): Profile | null {
  if (!isCpuprofile(text)) return null
  return cpuprofileFromJson(parseJson(text, name), text, name)
}
