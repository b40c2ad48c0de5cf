// Folded-stack writer: the readable, deterministic text form of a Profile's call trees,
// used as the oracle of the importer golden tests and for export to FlameGraph tools.
//   main;handle;parse 42
// One line per distinct stack with non-zero self weight, sorted by byte order, identical
// stacks merged; with several threads each stack starts with its thread's name (as
// stackcollapse-perf.pl --tid does). Exact graphs (fprof, callgrind) have no stacks and
// are not written. Walks the tree without recursion, so a 200 000-frame stack is fine.
import type { Profile } from '../model/profile'

function formatWeight(w: number): string {
  return Number.isInteger(w) ? String(w) : String(Math.round(w * 1e6) / 1e6)
}

function frameLabel(name: string): string {
  return name.replace(/[\r\n]+/g, ' ')
}

export function toFolded(profile: Profile): string {
  const labels = profile.frames.frames.map((f) => frameLabel(f.name))
  const withThread = profile.threads.filter((t) => t.tree).length > 1
  const sums = new Map<string, number>()
  for (const thread of profile.threads) {
    const tree = thread.tree
    if (!tree) continue
    const prefix = withThread ? frameLabel(thread.name) + ';' : ''
    // Depth-first with an explicit stack; `names` holds the current path, truncated to the
    // node's depth, and is joined only for nodes that carry self weight.
    const names: string[] = []
    const stack: number[] = [0, 0] // pairs: node, depth
    while (stack.length) {
      const d = stack.pop()!
      const n = stack.pop()!
      if (n !== 0) { names.length = d - 1; names.push(labels[tree.frame[n]]) }
      if (n !== 0 && tree.self[n] !== 0) {
        const key = prefix + names.join(';')
        sums.set(key, (sums.get(key) ?? 0) + tree.self[n])
      }
      for (const c of tree.children(n)) stack.push(c, d + 1)
    }
  }
  const keys = [...sums.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))
  let out = ''
  for (const k of keys) out += `${k} ${formatWeight(sums.get(k)!)}\n`
  return out
}
