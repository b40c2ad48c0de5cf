// The names users type for a format (`-f perf`, `-f collapse`), each mapped to the id of an
// entry in the importer registry; ids themselves are accepted as they are.
const ALIASES: Record<string, string> = {
  perf: 'perf-script', 'perf-script': 'perf-script', perfscript: 'perf-script',
  dtrace: 'dtrace', ustack: 'dtrace', jstack: 'dtrace',
  collapse: 'folded', 'py-spy': 'folded', rbspy: 'folded', collapsed: 'folded', folded: 'folded', stackcollapse: 'folded', flamegraph: 'folded', pyspy: 'folded',
  bpftrace: 'bpftrace', bpf: 'bpftrace',
  cpuprofile: 'cpuprofile', 'cpu-profile': 'cpuprofile', v8: 'cpuprofile',
  heapprofile: 'heapprofile', 'heap-profile': 'heapprofile',
  callgrind: 'callgrind', valgrind: 'callgrind', cachegrind: 'callgrind',
  json: 'gprof2dot-json', gprof2dot: 'gprof2dot-json',
  trace: 'sonde-trace', sonde: 'sonde-trace',
  erlang: 'fprof',
}

/** The registry id for what the user typed (case-insensitive); unknown names are returned as typed. */
export function formatByName(typed: string): string {
  return ALIASES[typed.toLowerCase()] ?? typed.toLowerCase()
}

/** 'perf-script (perf), dtrace, folded (collapse, py-spy), …' for help and errors. */
export function formatNames(ids: string[]): string {
  return ids.map((id) => {
    const short = Object.keys(ALIASES).filter((a) => ALIASES[a] === id && a !== id).slice(0, 3)
    return short.length ? `${id} (${short.join(', ')})` : id
  }).join(', ')
}
