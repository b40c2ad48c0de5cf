// gprof2dot's own JSON input (`gprof2dot -f json`): a list of functions and a list of
// events, each event a call chain of function indexes, LEAF FIRST, with its costs.
// Spec: jrfonseca/gprof2dot, JsonParser in gprof2dot.py and its schema.json.
//   {"version": 0, "costs": [{"description": "Samples", "unit": "samples"}],
//    "functions": [{"name": "main"}, {"name": "work", "module": "app"}], "events": [{"callchain": [1, 0], "cost": [42]}]}
// Weight: the first cost; unit from costs[0].unit when it is one sonde knows, else 'none'.
// Functions carrying `process` split the profile into one thread per process (the
// process of the chain's leaf function).
import { createProfile, CallTree, ParseError, type Profile, type ValueUnit } from '../model/profile'
import { isObject, jsonHeadHas, lineOf, parseJson } from './json-input'
import { inRange } from './weight-check'

export function isGprof2dotJson(head: string): boolean {
  const w = head.slice(0, 65536)
  return jsonHeadHas(head, ['functions', 'events', 'costs']) && w.includes('"functions"') && (w.includes('"events"') || w.includes('"costs"'))
}

const UNITS: Record<string, ValueUnit> = {
  samples: 'samples', sample: 'samples', s: 'seconds', seconds: 'seconds', ms: 'milliseconds', us: 'microseconds',
  'µs': 'microseconds', ns: 'nanoseconds', bytes: 'bytes', B: 'bytes', calls: 'calls',
}

export function gprof2dotFromJson(p: unknown, text: string, name: string): Profile | null {
  if (!isObject(p) || !Array.isArray(p.functions) || !Array.isArray(p.events)) return null
  const at = (re: RegExp) => lineOf(text, re)
  if (p.version !== undefined && p.version !== 0) throw new ParseError(name, at(/"version"/), `unsupported gprof2dot JSON version ${JSON.stringify(p.version)} (expected 0)`)
  const costs = Array.isArray(p.costs) ? p.costs : []
  const unitName = isObject(costs[0]) && typeof costs[0].unit === 'string' ? costs[0].unit : ''
  const profile = createProfile(name, 'gprof2dot-json', UNITS[unitName] ?? 'none')
  if (isObject(costs[0]) && typeof costs[0].description === 'string') profile.meta.cost = costs[0].description
  const frames: number[] = []
  const procs: (string | undefined)[] = []
  p.functions.forEach((f, i) => {
    if (!isObject(f) || typeof f.name !== 'string') throw new ParseError(name, at(/"functions"/), `functions[${i}] has no name`)
    const info: { name: string; module?: string } = { name: f.name }
    if (typeof f.module === 'string') info.module = f.module
    frames.push(profile.frames.intern(info))
    procs.push(f.process === undefined ? undefined : String(f.process))
  })
  const trees = new Map<string, CallTree>()
  const eventsLine = at(/"events"/)
  for (let i = 0; i < p.events.length; i++) {
    const ev = p.events[i]
    const chain = isObject(ev) ? ev.callchain : undefined
    if (!Array.isArray(chain) || chain.length === 0) throw new ParseError(name, eventsLine, `events[${i}] has no callchain`)
    const cost = isObject(ev) && Array.isArray(ev.cost) ? ev.cost[0] : undefined
    if (!inRange(cost)) throw new ParseError(name, eventsLine, `events[${i}] has bad cost ${JSON.stringify(cost)}`)
    for (const k of chain) {
      if (typeof k !== 'number' || !(k >= 0 && k < frames.length) || !Number.isInteger(k)) {
        throw new ParseError(name, eventsLine, `events[${i}] refers to function ${JSON.stringify(k)}, which does not exist`)
      }
    }
    const proc = procs[chain[0]] ?? 'all'
    let tree = trees.get(proc)
    if (!tree) { tree = new CallTree(); trees.set(proc, tree) }
    let node = 0
    for (let j = chain.length - 1; j >= 0; j--) node = tree.child(node, frames[chain[j]])
    tree.self[node] += cost
  }
  if (trees.size === 0) throw new ParseError(name, eventsLine, 'no events')
  for (const k of [...trees.keys()].sort()) profile.threads.push({ name: k, tree: trees.get(k)! })
  return profile
}

export function importFromGprof2dotJson(text: string, name: string): Profile | null {
  if (!isGprof2dotJson(text)) return null
  return gprof2dotFromJson(parseJson(text, name), text, name)
}
