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
import { checkWeight, inRange } from './weight-check'
import { buildColumns, flatNode, flattenTree, type RawNode } from './cpuprofile-tree'
import { forEachElement, topLevelArray } from './json-array-scan'

export function isCpuprofile(head: string): boolean {
  return jsonHeadHas(head, ['nodes', 'head']) && !/"selfSize"/.test(head.slice(0, 8192))
}

/** A frame of a V8 callFrame. `scripts` caches the file and module (file name) of each url,
 * so the frames of one script share their strings (JSON.parse makes one copy per node). */
export function v8Frame(cf: Record<string, unknown>, scripts?: Map<string, { file: string; module: string }>): FrameInfo {
  const fn = typeof cf.functionName === 'string' ? cf.functionName : ''
  const url = typeof cf.url === 'string' ? cf.url : ''
  const line = typeof cf.lineNumber === 'number' && cf.lineNumber >= 0 ? cf.lineNumber + 1 : undefined
  const column = typeof cf.columnNumber === 'number' && cf.columnNumber >= 0 ? cf.columnNumber + 1 : undefined
  // '(program)', '(garbage collector)', '(V8 API)': kind left to FrameTable (pseudo or other).
  const info: FrameInfo = { name: fn || '(anonymous)' }
  if (!(fn.charCodeAt(0) === 40 && fn.charCodeAt(fn.length - 1) === 41)) info.kind = 'js'
  if (url) {
    let script = scripts?.get(url)
    if (script === undefined) { script = { file: url, module: url.replace(/^.*[/\\]/, '') }; scripts?.set(url, script) }
    info.file = script.file
    info.module = script.module
  }
  if (line !== undefined) info.line = line
  if (column !== undefined) info.column = column
  return info
}

/** Sample times in µs, one per sample, or null when the input has none usable. */
// Times are µs and may be negative (V8 writes out-of-order deltas), each within ±2^53.
function sampleTimes(p: Record<string, unknown>, count: number, text: string, name: string): Float64Array | null {
  const time = (v: unknown, key: string, what: string) => checkWeight(v, name, () => lineOf(text, new RegExp(`"${key}"`)), what, { signed: true })
  if (Array.isArray(p.timeDeltas) && p.timeDeltas.length === count) {
    const deltas = p.timeDeltas
    const out = new Float64Array(count)
    let t = p.startTime === undefined ? 0 : time(p.startTime, 'startTime', 'startTime')
    for (let i = 0; i < count; i++) {
      const d = deltas[i]
      // The message is built only for a bad value: one string per sample costs seconds at 10^7.
      t += inRange(d, true) ? d : time(d, 'timeDeltas', `timeDeltas[${i}]`)
      out[i] = t
    }
    return out
  }
  if (Array.isArray(p.timestamps) && (p.timestamps.length === count || p.timestamps.length === count + 1)) {
    const skip = p.timestamps.length - count
    const out = new Float64Array(count)
    for (let i = 0; i < count; i++) {
      const x = p.timestamps[skip + i]
      out[i] = inRange(x, true) ? x : time(x, 'timestamps', `timestamps[${i}]`)
    }
    return out
  }
  return null
}

export function cpuprofileFromJson(p: unknown, text: string, name: string): Profile | null {
  if (!isObject(p)) return null
  if (Array.isArray(p.nodes)) {
    const nodes = p.nodes as unknown[]
    return fromParts(p, true, (take) => { for (let i = 0; i < nodes.length; i++) take(flatNode(nodes[i], i, text, name)) }, text, name)
  }
  if (!isObject(p.head)) return null
  const head = p.head
  return fromParts(p, false, (take) => { for (const n of flattenTree(head, text, name)) take(n) }, text, name)
}

const MALFORMED = new Error('malformed node')

/** The flat form with its `nodes` parsed one at a time (json-array-scan.ts), or null when
 * the text is not shaped so; malformed JSON also gives null, for parseJson to name. */
function streamedFlat(text: string, name: string): Profile | null {
  const arr = topLevelArray(text, 'nodes')
  if (!arr) return null
  let p: unknown
  try { p = JSON.parse(text.slice(0, arr.start) + '[]' + text.slice(arr.end)) } catch { return null }
  if (!isObject(p)) return null
  const feed = (take: (n: RawNode) => void): void => {
    let i = 0
    const ok = forEachElement(text, arr.start, arr.end, (s, e) => {
      let n: unknown
      try { n = JSON.parse(text.slice(s, e)) } catch { throw MALFORMED }
      take(flatNode(n, i++, text, name))
    })
    if (!ok) throw MALFORMED
  }
  try {
    return fromParts(p, true, feed, text, name)
  } catch (e) {
    if (e === MALFORMED) return null
    throw e
  }
}

function fromParts(p: Record<string, unknown>, isFlat: boolean, feed: (take: (n: RawNode) => void) => void, text: string, name: string): Profile {
  const profile = createProfile(name, 'cpuprofile', 'microseconds')
  const tree = new CallTree()
  const scripts = new Map<string, { file: string; module: string }>()
  const cols = buildColumns(feed, profile, tree, (cf) => v8Frame(cf, scripts), text, name)
  let rootLeafNode = -1
  const rootLeaf = (k: number): number => {
    const t = cols.treeOf[k]
    if (t !== 0) return t
    if (rootLeafNode < 0) rootLeafNode = tree.child(0, profile.frames.intern({ name: '(root)', kind: 'pseudo' }))
    return rootLeafNode
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
      const k = cols.indexOf(samples[i])
      if (k < 0) throw new ParseError(name, lineOf(text, /"samples"/), `sample ${i} refers to node ${String(samples[i])}, which does not exist`)
      let w = 1
      if (times) {
        w = i < last ? times[i + 1] - times[i] : end >= times[i] ? end - times[i] : i > 0 ? times[i] - times[i - 1] : 0
        if (w < 0) { w = 0; clamped++ }
      }
      const leaf = rootLeaf(k)
      tree.self[leaf] += w
      seq.leaf[i] = leaf
      seq.weight[i] = w
    }
    if (clamped) profile.meta.negativeDeltas = clamped
    profile.meta.samples = samples.length
    if (!times) profile.unit = 'samples'
  } else {
    profile.unit = 'samples'
    for (let k = 0; k < cols.count; k++) {
      if (cols.hit[k] <= 0) continue
      const leaf = rootLeaf(k)
      tree.self[leaf] += cols.hit[k]
    }
  }
  profile.meta.shape = isFlat ? 'flat' : 'tree'
  profile.threads.push({ name: 'main', tree, startValue: times?.[0], endValue: times?.[times.length - 1], ...(seq ? { samples: seq } : {}) })
  return profile
}

export function importFromCpuprofile(text: string, name: string): Profile | null {
  if (!isCpuprofile(text)) return null
  return streamedFlat(text, name) ?? cpuprofileFromJson(parseJson(text, name), text, name)
}
