// What sonde's default collectors add per express request, measured inside one process: the
// hello-world server runs under callgrind with `-r sonde/register`, and its collectors are stopped
// and started (GET /__bench/collectors/…, bench/apps/express-hello.js) between windows of N
// requests, so "off" and "on" windows share one process's JIT state, heap and code layout.
// Comparing fresh processes (always-on.ts) cannot tell a few thousand instructions: each process
// settles into its own steady state, and bare's five processes alone spanned 583.6–604.7 k.
// Per process: a warm-up of W requests in alternating states, then K pairs of windows in ABBA
// order (off,on / on,off / …: a drift over the run cancels), each window between a zeroing and a
// dump of callgrind's counters. A window after a switch first gets S uncounted requests: a switch
// costs what an always-on process never pays (subscribing or unsubscribing a diagnostics channel
// swaps the channel's prototype, so V8 discards the optimised code of Node's HTTP functions that
// inlined it, parserOnIncoming and resOnFinish among them, and recompiles them ~1 000 requests
// later: --trace-deopt under callgrind showed 1-4 TurboFan compiles in the first 2 000 requests
// after every switch, ~15 k instructions per request of such a window); the second window of a
// state in a row ("late") gets no switch at all. The app restarts one collector set rather than
// making a new one per switch, as an always-on process keeps its collectors: a new set's
// functions start cold, and those its 1 s ticks run reach TurboFan about a minute later (7-13 k
// instructions per request of compiling in the late on windows of an earlier version).
// Time-driven work: callgrind's ~50× slowdown puts ~50× more of it on each request. IDLE_WINDOWS
// windows per state with no request and the loop kept busy (a 1 ms no-op interval, as a loaded
// server's loop is: an idle loop woken by the event-loop collector's 10 ms timer pays a whole pass
// per wake-up, a loaded one runs it in a pass it makes anyway) give what the on state's timers add
// per second (its windows less their loop passes, counted by name, at an off pass's cost: how
// many passes a second makes depends on the machine's load); that rate × a window's seconds is
// taken out of each on window. The allocation sampler's poll runs only while the heap grows, so not in
// those windows: it is counted apart by name (PER_SECOND_FN) and charged at NOMINAL_RPS.
// A major GC is ~200 M instructions, ~100 k per request of a window, and a TurboFan compile
// 1-10 M; 8 windows per state catch a few either way: V8's GC and compiler functions are counted
// apart (means per state). A window with a major GC also runs its other code slower (MARK_FN),
// so the steady figure is the median on window less the median off window outside GC and
// compiling, over the windows without a major GC.
// "Off" is register loaded with every hook dormant (the gates unsubscribe within a poll; the
// bench waits past it): what an app pays for sonde with no collector is in always-on.ts.
// Every window is checked to have run in its state: what the collectors counted during it (all
// of an on window's requests when `http` runs, some measured when `request-cost` does; nothing
// in an off window).
// Run: node --import tsx bench/always-on-paired.ts [processes=3] [pairs=8] [requests=2000]
// BENCH_WARM (default 20 000) sets W; BENCH_SETTLE (default 2 000) S; BENCH_COLLECT (default
// "default") the collectors; BENCH_NODE_FLAGS adds node flags (--perf-basic-prof names the JIT
// code's addresses in the dumps, through /tmp/perf-<pid>.map); BENCH_KEEP=1 keeps callgrind's
// dumps (paired-<process>.<pid>.<window>-<thread>, windows in the order run) and prints where.
// Needs valgrind.
import { execFileSync } from 'node:child_process'
import { once } from 'node:events'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { parseCollectSpec } from '../collectors/config'
import { assertBundled, median, sonde, variantEnv } from './express-variants'
import { dumpTotals, inLanes, load, NOMINAL_RPS, spawnServer, IDLE_S, IDLE_WINDOWS } from './callgrind-express'

const P = Number(process.argv[2] ?? 3), K = Number(process.argv[3] ?? 8), N = Number(process.argv[4] ?? 2000)
const WARM = Number(process.env.BENCH_WARM ?? 20_000)
const SETTLE = Number(process.env.BENCH_SETTLE ?? 2000)
const NODE_FLAGS = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean)
const COLLECT = process.env.BENCH_COLLECT ?? 'default'
/** Past the gates' 1 s poll, so an off window starts with every hook unsubscribed. */
const SETTLE_MS = 1500
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sonde-paired-'))
let port = 19800 + Math.floor(Math.random() * 150)

type State = 'off' | 'on'
/** `late`: no switch before it (ABBA's second window of a state): S + N requests after the switch. */
interface Window { state: State; instructions: number; gc: number; jit: number; major: boolean; perSecond: number; seconds: number; requests: number; late: boolean; counted0: number; measured0: number }
/**
 * timeDriven: instructions/s the on state's time-driven work adds (idle windows with the loop kept
 * busy: each window's instructions outside PER_SECOND_FN less its loop passes × an off pass's
 * cost); passCost: instructions per loop pass of the off state's idle windows.
 */
interface ProcessRun { windows: Window[]; timeDriven: number; passCost: number; costPerSec: number }

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/**
 * V8's garbage collector by function name (self cost): scavenges, marking, sweeping, evacuation
 * and their slot and body visitors. A major GC is ~200 M instructions, so whether one falls into
 * a 2 000-request window moves it by ~100 k per request: the figures are given with and without
 * these functions, and the GC part is a mean over many windows.
 */
const GC_FN = /Scaveng|Sweep|Mark|Evacuat|MinorMS|GCTracer|RememberedSet|SlotSet|LiveObject|RecordMigrated|BodyDescriptor|IterateMaybeWeak|IteratePointers|Heap::|MemoryAllocator|CombinedWriteBarrier/

/**
 * V8's compilers by function name (self cost): TurboFan, Maglev, Sparkplug, the parser and
 * bytecode generator, and their zones. A TurboFan compile of one of express's or Node's
 * functions is 1-10 M instructions, and they keep coming in both states (a few dozen per
 * 3 000 requests after 15 000), so one more or less in a window moves it by thousands per
 * request: like GC, counted apart and given as a mean.
 */
const COMPILE_FN = /compiler::|maglev::|turboshaft::|baseline::|interpreter::|Compiler::|CompilationJob|Parser|Scanner|BytecodeGenerator|Zone::|ZoneList/

/**
 * A major GC's marking (self cost by name: ~280 M instructions in a window that has one, < 1 M
 * in the others). While V8 marks incrementally every pointer store pays its marking barrier, and
 * a major GC clears the stub cache and inline caches, so a window with one costs ~15-25 k more
 * per request outside GC_FN too: the steady figure leaves such windows out (GC counts are the
 * same with and without the collectors: docs/benchmarks.md).
 */
const MARK_FN = /MarkCompact|MarkingVisitor|MarkingBarrier|IncrementalMarking|MarkingWorklist/
const MAJOR_GC_MARKING = 20e6

/**
 * The allocation sampler's poll (the addon's AllocPoll, inclusive: V8's profile copy and the
 * events built from it): work that runs once a second under load (an idle heap skips it), so
 * under callgrind's ~50× slowdown it falls on ~80× fewer requests than in a server at
 * NOMINAL_RPS. It is counted apart and charged per request at NOMINAL_RPS (its instructions per
 * second ÷ NOMINAL_RPS), as request-cost's budget is scaled to that server's share.
 */
const PER_SECOND_FN = /^AllocPoll\(/

/**
 * One dump's per-thread files: the self cost of GC_FN and COMPILE_FN functions and the inclusive cost of
 * PER_SECOND_FN functions (callgrind's name compression: "fn=(id) name" once, then "fn=(id)"; a
 * cost line after "calls=" is the callee's inclusive cost, counted only for PER_SECOND_FN).
 */
function splitDump(dir: string, prefix: string, dump: number): { gc: number; jit: number; marking: number; perSecond: number; passes: number } {
  let gc = 0, jit = 0, marking = 0, perSecond = 0, passes = 0
  for (const f of fs.readdirSync(dir).filter((f) => f.startsWith(`${prefix}.`) && f.includes(`.${dump}-`))) {
    const names = new Map<string, string>()
    let inGc = false, inMark = false, inJit = false, inJob = false, callLine = false, callee = ''
    for (const line of fs.readFileSync(path.join(dir, f), 'utf8').split('\n')) {
      const c = line.charCodeAt(0)
      if ((c >= 48 && c <= 57) || c === 43 || c === 45 || c === 42) {  // a cost line: digit, +, -, *
        const cost = Number(line.slice(line.lastIndexOf(' ') + 1))
        if (inJob) perSecond += cost
        else if (inGc && !callLine) { gc += cost; if (inMark) marking += cost }
        else if (inJit && !callLine) jit += cost
        callLine = false
        continue
      }
      const m = /^(c?fn)=\((\d+)\)(?: (.*))?$/.exec(line)
      if (m) {
        if (m[3] !== undefined) names.set(m[2], m[3])
        if (m[1] === 'cfn') callee = names.get(m[2]) ?? ''
        if (m[1] === 'fn') { const name = names.get(m[2]) ?? ''; inGc = GC_FN.test(name); inMark = MARK_FN.test(name); inJit = !inGc && COMPILE_FN.test(name); inJob = PER_SECOND_FN.test(name); callLine = false }
      } else if (line.startsWith('calls=')) {
        callLine = true
        if (callee.startsWith('uv__io_poll')) passes += Number(line.slice(6, line.indexOf(' ')))
      }
    }
  }
  return { gc, jit, marking, perSecond, passes }
}

/** Switches the server's collectors; returns what the previous state counted for GET /. */
async function toggle(p: number, state: State | 'status', spec: string): Promise<{ counted: number; measured: number; running: string[] }> {
  const res = await fetch(`http://127.0.0.1:${p}/__bench/collectors/${state}?spec=${encodeURIComponent(spec)}`)
  if (!res.ok) throw new Error(`toggle ${state}: ${res.status} ${await res.text()}`)
  return await res.json() as { counted: number; measured: number; running: string[] }
}

async function measureProcess(i: number): Promise<ProcessRun> {
  const v = sonde(COLLECT), p = ++port, prefix = `paired-${i}`
  const child = await spawnServer('valgrind', ['--tool=callgrind', '--separate-threads=yes', '--smc-check=all-non-file', `--callgrind-out-file=${path.join(tmp, prefix)}.%p`, process.execPath, '--predictable', ...NODE_FLAGS, ...v.args], variantEnv(v), p)
  const cg = (a: string) => execFileSync('callgrind_control', [a, String(child.pid)], { stdio: 'ignore' })
  const want = parseCollectSpec(COLLECT).collectors
  let dumps = 0, state: State = 'on', spec = COLLECT
  /** Switches to `next`, checking the window that just ran in `state`. */
  const switchTo = async (next: State, window?: Window) => {
    const r = await toggle(p, next === state && window ? 'status' : next, spec)
    if (window) {
      const counted = r.counted - window.counted0, measured = r.measured - window.measured0
      if (state === 'on' && ((want.includes('http') && counted < window.requests) || (want.includes('request-cost') && measured === 0))) throw new Error(`process ${i}: an on window counted ${counted} of ${window.requests} requests, measured ${measured}`)
      if (state === 'off' && (counted !== 0 || measured !== 0)) throw new Error(`process ${i}: an off window counted ${counted}, measured ${measured}`)
    }
    if (next === 'on' && want.some((c) => !r.running.includes(c))) throw new Error(`process ${i}: collectors running ${r.running}, want ${want}`)
    if (next === state && window) return false
    state = next
    await sleep(SETTLE_MS)
    return true
  }
  const measure = async (s: State, switched: boolean): Promise<Window> => {
    if (switched) await load(p, SETTLE)
    const before = await toggle(p, 'status', spec)
    cg('-z')
    const m = await load(p, N)
    cg('-d')
    const t = dumpTotals(tmp, prefix, ++dumps), { gc, jit, marking, perSecond } = splitDump(tmp, prefix, dumps)
    if (m.ok < N * 0.99) throw new Error(`process ${i}: ${m.ok} of ${N} requests answered 2xx`)
    return { state: s, instructions: t.all, gc, jit, major: marking > MAJOR_GC_MARKING, perSecond, seconds: m.seconds, requests: m.ok, late: !switched, counted0: before.counted, measured0: before.measured }
  }
  try {
    // Warm-up in both states; the first off quarter gives callgrind's req/s, from which
    // request-cost's budget is scaled to the share of a server at NOMINAL_RPS (always-on.ts).
    await switchTo('off')
    const first = await load(p, WARM / 4)
    const costPerSec = Math.max(1, Math.round(200 * (first.ok / first.seconds) / NOMINAL_RPS))
    spec = `${COLLECT},cost-per-sec=${costPerSec}`
    for (const s of ['on', 'off', 'on'] as State[]) { await switchTo(s); await load(p, WARM / 4) }
    const windows: Window[] = []
    let last: Window | undefined
    for (let k = 0; k < K; k++) {
      for (const s of (k % 2 === 0 ? ['off', 'on'] : ['on', 'off']) as State[]) {
        last = await measure(s, await switchTo(s, last))
        windows.push(last)
      }
    }
    const idle: Record<State, { instructions: number; seconds: number; passes: number }[]> = { off: [], on: [] }
    await fetch(`http://127.0.0.1:${p}/__bench/busy/on`)
    for (const s of [state, state === 'on' ? 'off' : 'on'] as State[]) {
      await switchTo(s, last)
      last = undefined
      for (let w = 0; w < IDLE_WINDOWS; w++) {
        cg('-z')
        const t0 = process.hrtime.bigint()
        await sleep(IDLE_S * 1000)
        cg('-d')
        const all = dumpTotals(tmp, prefix, ++dumps).all, { perSecond, passes } = splitDump(tmp, prefix, dumps)
        idle[s].push({ instructions: all - perSecond, seconds: Number(process.hrtime.bigint() - t0) / 1e9, passes })
      }
    }
    // How many passes the busy loop makes in a second depends on the machine's load; what the
    // collectors' timers add does not: the on state's windows less their passes at an off pass's
    // cost. The lowest of each state's windows: an idle window can catch a GC or V8's idle tasks.
    const passCost = Math.min(...idle.off.map((w) => w.instructions / w.passes))
    const timeDriven = Math.min(...idle.on.map((w) => (w.instructions - w.passes * passCost) / w.seconds))
    return { windows, timeDriven, passCost, costPerSec }
  } finally { const exited = once(child, 'exit'); child.kill(); await exited }
}

const k = (x: number) => `${x >= 0 ? '' : '-'}${(Math.abs(x) / 1e3).toFixed(1)} k`
const fmt = (xs: number[], f: (x: number) => string) => `${f(median(xs))} (${f(Math.min(...xs))}–${f(Math.max(...xs))})`

/**
 * A window's instructions as a server at NOMINAL_RPS pays them: less the collectors' time-driven
 * work (ProcessRun.timeDriven × the window's seconds, on windows; an off window keeps Node's own,
 * which both states pay alike) and with the sampler's polls charged at NOMINAL_RPS instead of
 * callgrind's rate.
 */
const charged = (w: Window, timeDriven: number) =>
  w.instructions - (w.state === 'on' ? Math.max(0, timeDriven) * w.seconds : 0) - w.perSecond + w.perSecond / w.seconds * w.requests / NOMINAL_RPS
const perRequest = (w: Window, timeDriven: number) => charged(w, timeDriven) / w.requests

/** Instructions per request over a set of windows (every GC and compile in them counted once). */
const meanPerRequest = (ws: Window[], timeDriven: number) =>
  ws.reduce((a, w) => a + charged(w, timeDriven), 0) / ws.reduce((a, w) => a + w.requests, 0)
const partPerRequest = (ws: Window[], part: (w: Window) => number) => ws.reduce((a, w) => a + part(w), 0) / ws.reduce((a, w) => a + w.requests, 0)
/** The sampler's polls per request: as run under callgrind, and charged at NOMINAL_RPS. */
const pollsPerRequest = (ws: Window[]) => [ws.reduce((a, w) => a + w.perSecond, 0) / ws.reduce((a, w) => a + w.requests, 0), ws.reduce((a, w) => a + w.perSecond / w.seconds, 0) / ws.length / NOMINAL_RPS]

async function main(): Promise<void> {
  execFileSync('valgrind', ['--version'], { stdio: 'ignore' })
  assertBundled(path.resolve(__dirname, '..', 'dist'))
  const runs = await inLanes(Array.from({ length: P }, (_, i) => () => measureProcess(i)), Math.min(2, os.cpus().length))
  const lines = [`sonde collectors "${COLLECT}" per express request, paired in one process, node ${process.version}: ${P} processes × ${K} pairs of ${N}-request windows after ${WARM} warm-up, ${SETTLE} more after each switch (--predictable); instructions per request, the collectors' time-driven work (busy-loop idle windows less their loop passes) taken out, the sampler's polls charged at ${NOMINAL_RPS} req/s`, '']
  lines.push(`| process | windows | off | on | added | added outside GC and compiling, windows without a major GC: median on − median off | the same, all windows | added in GC (means) | added compiling (means) | windows with a major GC: off / on | sampler polls per request: under callgrind / at ${NOMINAL_RPS} req/s | time-driven work the on state adds (busy loop, an off pass's cost) | cost-per-sec |`, '|---|---|---|---|---|---|---|---|---|---|---|---|---|')
  const sums: Record<string, { added: number[]; steady: number[]; rest: number[]; gc: number[]; jit: number[] }> = {}
  for (const sel of ['all', 'late']) sums[sel] = { added: [], steady: [], rest: [], gc: [], jit: [] }
  runs.forEach((r, i) => {
    for (const sel of ['all', 'late'] as const) {
      const pick = (st: State) => r.windows.filter((w) => w.state === st && (sel === 'all' || w.late))
      const off = pick('off'), on = pick('on')
      const mOff = meanPerRequest(off, r.timeDriven), mOn = meanPerRequest(on, r.timeDriven)
      const gcAdded = partPerRequest(on, (w) => w.gc) - partPerRequest(off, (w) => w.gc)
      const jitAdded = partPerRequest(on, (w) => w.jit) - partPerRequest(off, (w) => w.jit)
      const rest = (w: Window) => perRequest(w, r.timeDriven) - (w.gc + w.jit) / w.requests
      const restAdded = median(on.map(rest)) - median(off.map(rest))
      const quietOff = off.filter((w) => !w.major), quietOn = on.filter((w) => !w.major)
      const steady = median(quietOn.map(rest)) - median(quietOff.map(rest))
      const s = sums[sel]
      s.added.push(mOn - mOff); s.steady.push(steady); s.rest.push(restAdded); s.gc.push(gcAdded); s.jit.push(jitAdded)
      lines.push(`| ${i} | ${sel} (${off.length} + ${on.length}) | ${k(mOff)} | ${k(mOn)} | ${k(mOn - mOff)} (${((mOn - mOff) / mOff * 100).toFixed(1)} %) | ${k(steady)} (${(steady / mOff * 100).toFixed(1)} %; ${quietOff.length} + ${quietOn.length}) | ${k(restAdded)} | ${k(gcAdded)} | ${k(jitAdded)} | ${off.length - quietOff.length} / ${on.length - quietOn.length} | ${pollsPerRequest(on).map((x) => x.toFixed(0)).join(' / ')} | ${(r.timeDriven / 1e6).toFixed(2)} M/s (${(r.passCost / 1e3).toFixed(1)} k per pass) | ${r.costPerSec} |`)
    }
  })
  lines.push('')
  for (const sel of ['all', 'late']) {
    const s = sums[sel]
    lines.push(`${sel} windows, over the processes: added ${fmt(s.added, k)}; outside GC and compiling, without a major GC (median on − median off) ${fmt(s.steady, k)}; the same, all windows ${fmt(s.rest, k)}; in GC ${fmt(s.gc, k)}; compiling ${fmt(s.jit, k)}`)
  }
  if (process.env.BENCH_KEEP === '1') lines.push(`callgrind dumps kept in ${tmp}`)
  else fs.rmSync(tmp, { recursive: true, force: true })
  process.stdout.write(lines.join('\n') + '\n')
}
main().catch((e) => { process.stderr.write(`always-on-paired: ${e instanceof Error ? e.message : String(e)}\n`); fs.rmSync(tmp, { recursive: true, force: true }); process.exit(1) })
