// Test support: builds Profiles with the model API directly (FrameTable.intern,
// CallTree.addStack, ExactGraph), independent of the importers under test elsewhere.
import { CallTree, createProfile, type ExactGraph, type FrameInfo, type Profile, type ValueUnit } from '../../../viz/model/profile'

/** Folded lines `a;b;c 42` → one-thread Profile (no importer involved). */
export function profileFromFolded(text: string, name = 'test', unit: ValueUnit = 'samples'): Profile {
  const p = createProfile(name, 'folded', unit)
  const tree = new CallTree()
  for (const line of text.split('\n')) {
    const m = /^(.*) (\d+(?:\.\d+)?)$/.exec(line.trim())
    if (!m) continue
    tree.addStack(m[1].split(';').map((n) => p.frames.intern({ name: n })), Number(m[2]))
  }
  p.threads.push({ name: 'main', tree })
  return p
}

/** Stacks given root-first with weights, and optional exact call counts per stack leaf. */
export function profileFromStacks(stacks: { frames: (string | FrameInfo)[]; weight: number; calls?: number }[], unit: ValueUnit = 'nanoseconds'): Profile {
  const p = createProfile('stacks', 'test', unit)
  const tree = new CallTree()
  for (const s of stacks) {
    const ids = s.frames.map((f) => p.frames.intern(typeof f === 'string' ? { name: f } : f))
    const leaf = tree.addStack(ids, s.weight)
    if (s.calls !== undefined) { tree.calls[leaf] += s.calls; tree.hasCalls = true }
  }
  p.threads.push({ name: 'main', tree })
  return p
}

/** An exact graph as fprof would give it: functions [name, cnt, acc, own], edges [caller, callee, cnt, acc]. */
export function profileFromExact(fns: [string, number, number, number][], edges: [string, string, number, number][], total?: number): Profile {
  const p = createProfile('exact', 'fprof', 'milliseconds')
  const id = (n: string) => p.frames.intern({ name: n, kind: 'erlang' })
  const exact: ExactGraph = {
    functions: fns.map(([n, calls, acc, own]) => ({ frame: id(n), calls, total: acc, self: own })),
    edges: edges.map(([a, b, calls, acc]) => ({ caller: id(a), callee: id(b), calls, total: acc })),
    total,
  }
  p.threads.push({ name: '<0.1.0>', exact })
  return p
}
