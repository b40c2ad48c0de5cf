// V8 sampling heap profiles (.heapprofile from `node --heap-prof`, Chrome DevTools
// "Allocation sampling"): a tree head{callFrame, selfSize, id?, children[]} and, since
// Node 12, samples[] of {size, nodeId, ordinal}. Spec: Chrome DevTools Protocol,
// HeapProfiler.SamplingHeapProfile (chromedevtools.github.io/devtools-protocol/tot/HeapProfiler/).
//   {"head":{"callFrame":{"functionName":"(root)",...},"selfSize":0,"id":1,"children":[
//     {"callFrame":{"functionName":"alloc","url":"file:///app.js",...},"selfSize":8240,"id":2,"children":[]}]},"samples":[...]}
// Unit: bytes; the weight of a node is its selfSize (the bytes still live at the end of the
// run, as V8 reports them). samples[] is checked for shape and counted; samples may name
// nodes absent from the tree (seen in real Node 20 output), so their bytes are not used.
import { createProfile, CallTree, ParseError, type Profile } from '../model/profile'
import { isObject, jsonHeadHas, lineOf, parseJson } from './json-input'
import { v8Frame } from './cpuprofile'
import { inRange } from './weight-check'

export function isHeapprofile(head: string): boolean {
  return jsonHeadHas(head, ['head']) && /"selfSize"/.test(head.slice(0, 65536))
}

export function heapprofileFromJson(p: unknown, text: string, name: string): Profile | null {
  if (!isObject(p) || !isObject(p.head)) return null
  const profile = createProfile(name, 'heapprofile', 'bytes')
  const tree = new CallTree()
  const ids = new Set<number>()
  // Explicit stack of [json node, parent tree node]: no recursion on depth.
  const stack: [Record<string, unknown>, number][] = [[p.head, -1]]
  while (stack.length) {
    const [n, parent] = stack.pop()!
    if (typeof n.id === 'number') ids.add(n.id)
    const cf = isObject(n.callFrame) ? n.callFrame : {}
    const frame = v8Frame(cf)
    const self = n.selfSize
    if (self !== undefined && !inRange(self)) {
      throw new ParseError(name, typeof n.id === 'number' ? lineOf(text, new RegExp(`"id"\\s*:\\s*${n.id}(?![0-9])`)) : undefined, `bad selfSize ${JSON.stringify(self)}`)
    }
    // The V8 root is the tree's synthetic root; its own bytes (rare) go to a '(root)' frame.
    let t: number
    if (parent < 0 && frame.name === '(root)') {
      t = 0
      if (typeof self === 'number' && self > 0) tree.self[tree.child(0, profile.frames.intern({ name: '(root)', kind: 'pseudo' }))] += self
    } else {
      t = tree.child(parent < 0 ? 0 : parent, profile.frames.intern(frame))
      if (typeof self === 'number') tree.self[t] += self
    }
    if (Array.isArray(n.children)) {
      for (const c of n.children) if (isObject(c)) stack.push([c, t])
    }
  }
  if (Array.isArray(p.samples)) {
    // Real Node 20 output has samples whose nodeId is absent from the tree (nodes V8 pruned
    // after their objects died): counted, not an error. A sample that is not {size, nodeId}
    // is malformed.
    let orphans = 0
    for (let i = 0; i < p.samples.length; i++) {
      const s = p.samples[i]
      if (!isObject(s) || typeof s.nodeId !== 'number' || typeof s.size !== 'number' || !(s.size >= 0)) {
        throw new ParseError(name, lineOf(text, /"samples"/), `sample ${i} is not {size, nodeId}`)
      }
      if (!ids.has(s.nodeId)) orphans++
    }
    profile.meta.samples = p.samples.length
    if (orphans) profile.meta.samplesWithoutNode = orphans
  }
  profile.threads.push({ name: 'main', tree })
  return profile
}

export function importFromHeapprofile(text: string, name: string): Profile | null {
  if (!isHeapprofile(text)) return null
  return heapprofileFromJson(parseJson(text, name), text, name)
}
