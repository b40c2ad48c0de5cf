// `--process NAME`: choosing threads / processes of a profile by the names users type.
// Importers name threads after their producer:
//   fprof        <0.82.0> (a pid) or a registered name      → also 0.82.0, "<0.82.0>"
//   perf script  node-16161/16215 (comm-pid/tid), node-16161 → also 16161/16215, 16215 (tid),
//                16161 (pid: every thread of it), node (comm: every thread of it)
//   gprof2dot    the same comm-pid/tid names as perf script
//   sonde-trace  main, worker 3                              → also worker-3, worker3, 3
//   bpftrace     all, or the map name when several maps hold stacks (@cpu → also cpu)
//   V8 profiles  main;  folded, callgrind: all
// The most specific form that matches wins (exact name, then a thread id, then a pid,
// then a command name); `*` selects every thread. No match is an OptionError listing the names.
import { literal, OptionError, type Profile, type ProfileThread } from '../model/profile'

/** Strips what users add or leave out around a name: blanks, quotes, fprof's angle brackets. */
function bare(s: string): string {
  return s.trim().replace(/^(['"])(.*)\1$/, '$2').replace(/^<(.*)>$/, '$1')
}

/** Aliases of a thread name by specificity: [exact forms, thread ids, pids, command names]. */
export function threadAliases(name: string): string[][] {
  const exact = new Set([name, bare(name)])
  if (name.startsWith('@') && name.length > 1) exact.add(name.slice(1)) // bpftrace map @cpu: also cpu
  const tid: string[] = [], pid: string[] = [], comm: string[] = []
  const perf = /^(.*)-(\d+)(?:\/(\d+))?$/.exec(name)
  if (perf) {
    if (perf[3] !== undefined) { exact.add(`${perf[2]}/${perf[3]}`); tid.push(perf[3]); pid.push(perf[2]) }
    else tid.push(perf[2]) // perf script without tids: the number is the pid of a one-thread entry
    comm.push(perf[1])
  }
  const worker = /^worker[ -]?(\d+)$/.exec(name)
  if (worker) { exact.add(`worker ${worker[1]}`).add(`worker-${worker[1]}`).add(`worker${worker[1]}`); tid.push(worker[1]) }
  return [[...exact], tid, pid, comm]
}

/** The threads `wanted` names, by the most specific form that matches any of them. */
export function matchThreads(threads: ProfileThread[], wanted: string): ProfileThread[] {
  const w = bare(wanted)
  if (w === '*') return threads
  const aliases = threads.map((t) => threadAliases(t.name))
  for (let level = 0; level < 4; level++) {
    const hit = threads.filter((_, i) => aliases[i][level].includes(w) || (level === 0 && aliases[i][0].includes(wanted)))
    if (hit.length) return hit
  }
  return []
}

/** Threads of `profile` chosen by `thread` (all when undefined); OptionError when none match. */
export function selectThreads(profile: Profile, thread?: string, option = '{thread}'): ProfileThread[] {
  if (thread === undefined) return profile.threads
  const chosen = matchThreads(profile.threads, thread)
  if (chosen.length === 0) {
    const names = profile.threads.map((t) => t.name)
    const list = names.length ? names.map((n) => `'${n}'`).join(', ') : 'none'
    throw new OptionError(`${option}: no thread or process named '${literal(thread)}' in ${literal(profile.name)} (have: ${literal(list)}; * for all)`)
  }
  return chosen
}
