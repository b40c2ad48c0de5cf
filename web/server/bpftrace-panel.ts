// The dashboard's "bpftrace" panel: runs one library one-liner at a time with bpftrace against
// the process this dashboard observes (its own pid: `-p process.pid`), and streams the parsed
// maps and histograms (bpftrace/output) to the page as `event: bpftrace` on the SSE
// stream. The one-liners print their maps only at exit, so an `interval:s:1 { print(@m); … }`
// probe is added for every aggregation map (unless the program already has an interval probe).
// Bounded: one run at a time, at most MAX_SECONDS, payload cut to a few maps, rows and buckets.
// Stopping is the bridge's (bpftrace/process.ts: SIGINT when safe, repeated, SIGKILL at 10-60 s).
import { bpftraceMissing, runBpftrace, type BpftraceRun, type TraceResult } from '../../bpftrace/bridge'
import { unitOfMapName } from '../../bpftrace/histogram'
import { bpftraceArgs, bpftraceEnv, findOneLiner, oneLiners } from '../../bpftrace/oneliners/index'
import { inspectTarget } from '../../inspect/target-process'
import type { PanelHist, PanelMap, PanelState } from '../shared/wire'

export const MAX_SECONDS = 300
const MAX_HISTS = 6, MAX_MAPS = 6, MAX_ROWS = 20, MAX_BUCKETS = 64

export type { PanelHist, PanelMap, PanelState } from '../shared/wire'

export class PanelError extends Error { constructor(message: string, readonly status: number) { super(message) } }

/** Adds a 1 s print of every aggregation map, so the page gets updates while bpftrace runs. */
export function withIntervalPrints(program: string): string {
  if (/^\s*interval:/m.test(program)) return program
  const maps = new Set<string>()
  for (const m of program.matchAll(/(@\w+)\s*(?:\[[^\]]*\])?\s*=\s*(?:hist|lhist|count|sum|stats|avg|min|max)\(/g)) maps.add(m[1])
  if (!maps.size) return program
  return `${program}\ninterval:s:1 { ${[...maps].map((m) => `print(${m});`).join(' ')} }\n`
}

type Bucket = PanelHist['buckets'][number]

/** An lhist can span 1000 buckets: adjacent ones are merged so at most MAX_BUCKETS remain. */
export function rebin(buckets: Bucket[]): Bucket[] {
  if (buckets.length <= MAX_BUCKETS) return buckets
  const edge = (b: Bucket) => b.min === undefined || b.max === undefined // underflow / overflow stay apart
  const head = edge(buckets[0]) ? [buckets[0]] : [], tail = edge(buckets[buckets.length - 1]) ? [buckets[buckets.length - 1]] : []
  const mid = buckets.slice(head.length, buckets.length - tail.length)
  const g = Math.ceil(mid.length / (MAX_BUCKETS - head.length - tail.length))
  const out: Bucket[] = []
  for (let i = 0; i < mid.length; i += g) {
    const part = mid.slice(i, i + g)
    out.push({ min: part[0].min, max: part[part.length - 1].max, count: part.reduce((a, b) => a + b.count, 0) })
  }
  return [...head, ...out, ...tail]
}

function histograms(r: TraceResult): PanelHist[] {
  const out: PanelHist[] = []
  for (const [map, entries] of Object.entries(r.histograms)) {
    const u = unitOfMapName(map)
    for (const e of entries) {
      if (out.length >= MAX_HISTS) return out
      const nz = e.buckets.map((b, i) => (b.count > 0 ? i : -1)).filter((i) => i >= 0)
      const buckets = rebin(nz.length ? e.buckets.slice(nz[0], nz[nz.length - 1] + 1) : [])
      out.push({ map, key: e.key, unit: u?.base ?? null, scale: u?.scale ?? 1, buckets, count: e.summary.count, p50: e.summary.p50, p99: e.summary.p99, max: e.summary.max })
    }
  }
  return out
}

function maps(r: TraceResult): PanelMap[] {
  const out: PanelMap[] = []
  const add = (map: string, v: number | Record<string, number>) => {
    const rows: [string, number][] = typeof v === 'number' ? [['', v]] : Object.entries(v).sort((a, b) => b[1] - a[1])
    out.push({ map, rows: rows.slice(0, MAX_ROWS), keys: rows.length })
  }
  for (const [map, v] of Object.entries(r.maps)) if (out.length < MAX_MAPS) add(map, v)
  for (const [map, s] of Object.entries(r.stats)) {
    if (out.length >= MAX_MAPS) break
    for (const f of ['count', 'average', 'total'] as const) add(`${map} ${f}`, Object.fromEntries(Object.entries(s).map(([k, e]) => [k, e[f]])))
  }
  return out.slice(0, MAX_MAPS)
}

export function createBpftracePanel(broadcast: (state: PanelState) => void, observedPid: number | undefined) {
  let run: (BpftraceRun & { pid?: number }) | undefined
  let state: PanelState | undefined
  let last: TraceResult | undefined
  let timers: NodeJS.Timeout[] = []
  let pending: NodeJS.Timeout | undefined
  const killAtExit = () => { if (run?.pid) { try { process.kill(run.pid, 'SIGKILL') } catch { /* gone */ } } }

  function publish(now = false): void {
    if (!state) return
    if (last) Object.assign(state, { attachedProbes: Math.max(state.attachedProbes, last.attachedProbes), prints: last.prints, histograms: histograms(last), maps: maps(last), notes: last.notes.slice(-5) })
    state.elapsedS = Math.round((Date.now() - state.startedMs) / 100) / 10
    if (now) { if (pending) { clearTimeout(pending); pending = undefined } try { broadcast(state) } catch { /* stream gone */ } return }
    pending ??= setTimeout(() => { pending = undefined; publish(true) }, 200)
  }

  function unavailable(): string | null {
    if (observedPid === undefined) return 'this dashboard observes no process: pick one under Processes and open its bpftrace panel'
    return bpftraceMissing()
  }

  function start(name: string, seconds: number): PanelState {
    const why = unavailable()
    if (why) throw new PanelError(why, 503)
    const o = findOneLiner(name)
    if (!o) throw new PanelError(`unknown one-liner '${name}'`, 400)
    if (!(seconds >= 1 && seconds <= MAX_SECONDS)) throw new PanelError(`seconds must be 1..${MAX_SECONDS}, got ${seconds}`, 400)
    if (run) throw new PanelError(`${state?.name} is still running: stop it first`, 409)
    const pid = observedPid!
    if (o.probes.some((p) => /^(sonde|node):/.test(p)) && !inspectTarget(pid).sondeLoaded) throw new PanelError(`process ${pid} has no sonde probes loaded (the native addon did not load)`, 503)
    const args = bpftraceArgs(o, { pid })
    const e = args.indexOf('-e') + 1
    args[e] = withIntervalPrints(args[e])
    last = undefined
    state = { name, pid, state: 'running', startedMs: Date.now(), durationS: seconds, elapsedS: 0, attachedProbes: 0, prints: 0, histograms: [], maps: [], notes: [] }
    const mine = state
    const r = runBpftrace({ args, env: bpftraceEnv(o), onUpdate: (res) => { last = res; publish() }, onAttached: (n) => { mine.attachedProbes = n; publish() } })
    run = r
    process.once('exit', killAtExit)
    timers = [setTimeout(stop, seconds * 1000)]
    r.result.then((res) => {
      last = res
      mine.state = 'done'
      // bpftrace ends with 0 after SIGINT; anything else is said (130: killed while printing).
      if (res.exitCode !== 0) last.notes.push(`bpftrace exit ${res.exitCode}${res.stderr ? `: ${res.stderr.split('\n')[0]}` : ''}`)
    }, (err: Error) => { mine.state = 'failed'; mine.error = err.message })
      .finally(() => {
        if (run === r) { run = undefined; timers.forEach(clearTimeout); timers = []; process.off('exit', killAtExit) }
        if (state === mine) publish(true)
      })
    publish(true)
    return state
  }

  function stop(): PanelState | undefined {
    if (run) {
      run.stop()
    }
    return state
  }

  return {
    start, stop,
    info: () => ({ available: unavailable() === null, reason: unavailable(), pid: observedPid ?? null, oneLiners: oneLiners.map((o) => ({ name: o.name, description: o.description })), current: state ?? null, running: run !== undefined }),
    close(): void { stop(); killAtExit() },
  }
}

export type BpftracePanel = ReturnType<typeof createBpftracePanel>
