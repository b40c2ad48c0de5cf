// Source-map remapping of V8 profiles (.cpuprofile, .heapprofile, sonde function traces):
// each frame whose script has a source map (script-maps.ts says where maps are looked for)
// becomes its original function — the map's name for it, the original file, line and
// column. Frames that become the same function are merged (trees are rebuilt, weights and
// call counts summed). Other formats name native code or already-original frames and are
// left as they are.
import path from 'node:path'
import { CallTree, FrameTable, type FrameInfo, type Profile, type ProfileThread } from '../model/profile'
import { findScriptMap, originalFunction, type MapSearch, type ScriptMap } from './script-maps'

export const SOURCE_MAPPED_FORMATS = ['cpuprofile', 'cpuprofile+counts', 'heapprofile', 'sonde-trace']

export type SourceMapOptions = MapSearch

/** The original frame of `f`, or undefined when it has no map or no mapping. */
function mapFrame(f: FrameInfo, maps: Map<string, ScriptMap | undefined>, o: MapSearch): FrameInfo | undefined {
  if (!f.file || f.line === undefined || f.kind === 'pseudo') return undefined
  let m = maps.get(f.file)
  if (!maps.has(f.file)) { m = findScriptMap(f.file, o); maps.set(f.file, m) }
  if (!m) return undefined
  const orig = originalFunction(m, f.name, f.line, Math.max(0, (f.column ?? 1) - 1))
  if (!orig) return undefined
  const out: FrameInfo = { name: orig.name ?? f.name, file: orig.file, module: path.basename(orig.file), line: orig.line, column: orig.column }
  if (f.kind) out.kind = f.kind
  return out
}

function remapThread(t: ProfileThread, ids: Int32Array): ProfileThread {
  const out: ProfileThread = { ...t }
  if (t.tree) {
    const src = t.tree, dst = new CallTree(src.size)
    dst.hasCalls = src.hasCalls
    const node = new Int32Array(src.size)
    // Parents have smaller ids than their children: one forward sweep.
    for (let v = 1; v < src.size; v++) {
      const n = dst.child(node[src.parent[v]], ids[src.frame[v]])
      node[v] = n
      dst.self[n] += src.self[v]
      if (src.hasCalls) dst.calls[n] += src.calls[v]
    }
    dst.self[0] += src.self[0]
    out.tree = dst
    if (t.samples) out.samples = { leaf: t.samples.leaf.map((l) => node[l]), weight: t.samples.weight }
  }
  if (t.functionCalls) {
    const calls = new Map<number, number>()
    for (const [f, c] of t.functionCalls) calls.set(ids[f], (calls.get(ids[f]) ?? 0) + c)
    out.functionCalls = calls
  }
  if (t.exact) {
    out.exact = {
      ...t.exact,
      functions: t.exact.functions.map((f) => ({ ...f, frame: ids[f.frame] })),
      edges: t.exact.edges.map((e) => ({ ...e, caller: ids[e.caller], callee: ids[e.callee] })),
    }
  }
  return out
}

/**
 * The profile with its frames mapped through the source maps found, or the profile itself
 * when it is not a V8 profile or no frame maps. `meta.sourceMappedFrames` counts the frames mapped.
 */
export function remapProfile(p: Profile, o: SourceMapOptions = {}): Profile {
  if (!SOURCE_MAPPED_FORMATS.includes(p.format)) return p
  const maps = new Map<string, ScriptMap | undefined>()
  const mapped = p.frames.frames.map((f) => mapFrame(f, maps, o))
  const count = mapped.filter((m) => m !== undefined).length
  if (!count) return p
  const frames = new FrameTable()
  const ids = Int32Array.from(p.frames.frames, (f, i) => frames.intern(mapped[i] ?? stripped(f)))
  return { ...p, frames, threads: p.threads.map((t) => remapThread(t, ids)), meta: { ...p.meta, sourceMappedFrames: count } }
}

/** A frame's info without its table fields (id, key), to intern it in another table. */
function stripped(f: FrameInfo & { id?: number; key?: string }): FrameInfo {
  const { id: _id, key: _key, ...info } = f
  return info
}
