// The one-liner library: catalogue of bpftrace/oneliners/*.bt (each file documents itself in its
// header, bpftrace tools style), and rendering into commands that paste and run as-is here.
// Placeholders in the .bt programs, filled by renderOneLiner():
//   SONDE_ADDON     absolute path of build/Release/sonde.node (usdt:PATH:sonde:probe attaches
//                   by file, so it works with and without -p: the kernel raises the semaphores);
//                   the dyn__fire relay lives there too
//   SONDE_PROVIDER  a user provider's name (--provider)
//   $1              the target PID (bpftrace positional parameter; needsPid one-liners)
import fs from 'node:fs'
import path from 'node:path'
import { locateNative, packageRoot } from '../../probes/native-path'

export interface OneLiner {
  name: string
  description: string
  /** Probes used, provider:name (or tracepoint/profile specs). */
  probes: string[]
  /** The program filters on the PID ($1): it needs one to run. */
  needsPid: boolean
  /** The same question in DTrace syntax (`__` becomes `-`), where it translates. */
  dtrace?: string
  /** bpftrace environment the one-liner needs (given unless the caller's environment sets the name). */
  env?: Readonly<Record<string, string>>
}

// bpftrace 0.17 with ASLR on keeps no user-symbol cache: it builds a new bcc symbol cache for
// every frame it resolves, reading the symbols of node's 99 MB binary each time (perf: string
// hash inserts and ~ProcSyms). Measured here: the first print of a few 12-frame ustack()s took
// 10.5 s, and a stop during that lost the rest (no loop-lag-stacks stack of 4 spikes
// printed). With BPFTRACE_CACHE_USER_SYMBOLS=1: 0.24 s, then ~5 ms per print. 0.17 keys that
// cache by executable path (the first PID's addresses and perf map would serve every process
// of the binary), so only one-liners filtered to one PID get it. bpftrace versions with
// PER_PID read "1" as "keep the default", which is per PID when ASLR is on. The perf map is
// read once per run, at the first JS frame resolved: code compiled after that prints as an
// address.
const ONE_PID_SYMBOL_CACHE = { BPFTRACE_CACHE_USER_SYMBOLS: '1' } as const

export const oneLiners: readonly OneLiner[] = [
  { name: 'msg-latency', description: 'worker message pick-up latency histogram (send → receiver JS)', probes: ['sonde:msg__receive'], needsPid: false,
    dtrace: "dtrace -n 'sonde*:::msg-receive /arg2 > 0/ { @latency_ns = quantize(arg2); }'" },
  { name: 'msg-latency-by-channel', description: 'message latency per channel and receiving thread (p50/p99 per channel)', probes: ['sonde:msg__receive'], needsPid: false,
    dtrace: "dtrace -n 'sonde*:::msg-receive /arg2 > 0/ { @latency_us[arg0, arg3] = lquantize(arg2 / 1000, 0, 500, 10); }'" },
  { name: 'msg-bytes', description: 'bytes passed between threads by sender thread, payload size histogram', probes: ['sonde:msg__send'], needsPid: false,
    dtrace: "dtrace -n 'sonde*:::msg-send /(int64_t)arg2 >= 0/ { @sent_bytes[arg3] = sum(arg2); @size_bytes = quantize(arg2); }'" },
  { name: 'gc-pauses-by-kind', description: 'GC pause histogram and total by kind (scavenge, mark-sweep-compact, ...)', probes: ['sonde:gc__done'], needsPid: false,
    dtrace: "dtrace -n 'sonde*:::gc-done { @pause_us[arg0] = quantize(arg2 / 1000); @pause_total_us[arg0] = sum(arg2 / 1000); }'" },
  { name: 'gc-during-http', description: 'GC pauses while HTTP requests were in flight vs while idle', probes: ['sonde:http__server__request', 'sonde:http__server__response', 'sonde:gc__done'], needsPid: false },
  { name: 'gc-rate', description: 'GCs per second and the share of each second spent in GC', probes: ['sonde:gc__done'], needsPid: false },
  { name: 'gc-freed', description: 'heap bytes freed per GC by kind', probes: ['sonde:gc__done'], needsPid: false,
    dtrace: "dtrace -n 'sonde*:::gc-done /arg3 >= arg4/ { @freed_kb[arg0] = quantize((arg3 - arg4) / 1024); }'" },
  { name: 'gc-syscalls', description: 'syscalls made by a thread during its GC pauses', probes: ['sonde:gc__start', 'sonde:gc__done', 'tracepoint:raw_syscalls:sys_enter'], needsPid: false,
    dtrace: "dtrace -n 'sonde*:::gc-start { self->gc = 1; } sonde*:::gc-done { self->gc = 0; } syscall:::entry /self->gc/ { @syscalls[probefunc] = count(); }'" },
  { name: 'heap-resize', description: 'committed heap growth and shrink across GCs, as it happens', probes: ['sonde:heap__grow', 'sonde:heap__shrink'], needsPid: false,
    dtrace: "dtrace -n 'sonde*:::heap-grow, sonde*:::heap-shrink { printf(\"%s %d -> %d KiB\\n\", probename, arg0 / 1024, arg1 / 1024); }'" },
  { name: 'slow-requests', description: 'HTTP responses slower than 20 ms with method, URL, status', probes: ['sonde:http__server__response'], needsPid: false,
    dtrace: "dtrace -n 'sonde*:::http-server-response /arg3 > 20000000/ { printf(\"%s %s %d %d ms\\n\", copyinstr(arg0), copyinstr(arg1), arg2, arg3 / 1000000); }'" },
  { name: 'requests-by-status', description: 'HTTP responses per second by status code', probes: ['sonde:http__server__response'], needsPid: false,
    dtrace: "dtrace -n 'sonde*:::http-server-response { @requests[arg2] = count(); } tick-1s { printa(@requests); trunc(@requests); }'" },
  { name: 'http-latency', description: 'HTTP server latency histogram per method and URL', probes: ['sonde:http__server__response'], needsPid: false,
    dtrace: "dtrace -n 'sonde*:::http-server-response { @latency_us[copyinstr(arg0), copyinstr(arg1)] = quantize(arg3 / 1000); }'" },
  { name: 'http-client-latency', description: 'outgoing HTTP request latency by status', probes: ['sonde:http__client__response'], needsPid: false,
    dtrace: "dtrace -n 'sonde*:::http-client-response { @latency_us[arg2] = quantize(arg3 / 1000); }'" },
  { name: 'alloc-by-function', description: 'sampled allocation bytes by JS function and location', probes: ['sonde:alloc__sample'], needsPid: false,
    dtrace: "dtrace -n 'sonde*:::alloc-sample { @alloc_bytes[copyinstr(arg1), copyinstr(arg2)] = sum(arg0); }'" },
  { name: 'loop-lag', description: 'event-loop delay histogram and maximum', probes: ['sonde:loop__lag'], needsPid: false,
    dtrace: "dtrace -n 'sonde*:::loop-lag { @lag_us = quantize(arg0 / 1000); @max_lag_us = max(arg0 / 1000); }'" },
  { name: 'loop-lag-stacks', description: 'event-loop lag spikes (> 40 ms) with the JS stacks sampled during them', probes: ['sonde:loop__lag', 'profile:hz:99'], needsPid: true, env: ONE_PID_SYMBOL_CACHE },
  { name: 'func-calls', description: 'call counts of traced JS functions (sonde run --trace-functions)', probes: ['sonde:func__entry'], needsPid: false,
    dtrace: "dtrace -n 'sonde*:::func-entry { @calls[copyinstr(arg0), copyinstr(arg1)] = count(); }'" },
  { name: 'func-time', description: 'time in each traced function, entry → return, timed by bpftrace', probes: ['sonde:func__entry', 'sonde:func__return'], needsPid: false,
    dtrace: "dtrace -n 'sonde*:::func-entry { self->ts[arg2] = timestamp; self->d = arg2; } sonde*:::func-return /self->ts[self->d]/ { @time_ns[copyinstr(arg0)] = quantize(timestamp - self->ts[self->d]); self->ts[self->d] = 0; self->d--; }'" },
  { name: 'func-duration', description: 'traced function durations as the tracer measured them', probes: ['sonde:func__return'], needsPid: false,
    dtrace: "dtrace -n 'sonde*:::func-return { @duration_ns[copyinstr(arg0)] = quantize(arg2); }'" },
  { name: 'offcpu-main', description: 'off-CPU time of the main thread', probes: ['tracepoint:sched:sched_switch'], needsPid: true },
  { name: 'user-probes', description: 'fires of every user-defined probe by provider and probe (dyn__fire relay)', probes: ['sonde:dyn__fire'], needsPid: false,
    dtrace: "dtrace -n 'sonde*:::dyn-fire { @fires[copyinstr(arg0), copyinstr(arg1)] = count(); }'" },
  { name: 'user-provider', description: 'fires per probe of one user-defined provider (--provider NAME)', probes: ['PROVIDER:*'], needsPid: true,
    dtrace: "dtrace -n 'myapp$target::: { @fires[probename] = count(); }' -p PID" },
  { name: 'compat-gc', description: 'Node <= 18 style: node:gc__start → gc__done timed in bpftrace', probes: ['node:gc__start', 'node:gc__done'], needsPid: true,
    dtrace: "dtrace -n 'node*:::gc-start { self->ts = timestamp; } node*:::gc-done /self->ts/ { @gc_us[arg0] = quantize((timestamp - self->ts) / 1000); self->ts = 0; }'" },
  { name: 'compat-http', description: 'Node <= 18 style: requests by method and URL from node:http__server__request', probes: ['node:http__server__request'], needsPid: true,
    dtrace: "dtrace -n 'node*:::http-server-request { @requests[copyinstr(arg4), copyinstr(arg5)] = count(); }'" },
]

// The .bt files and the addon live under the package root (sources run from there, dist/ one down).
const ROOT = packageRoot

export const oneLinerDir = path.join(ROOT, 'bpftrace', 'oneliners')
/** The sonde addon this Node loads (a process with sonde maps the same file; see addonPathOf). */
export const addonPath = locateNative('sonde', ROOT).file ?? path.join(ROOT, 'build', 'Release', 'sonde.node')

/** The sonde addon mapped into process `pid` (where usdt probes attach), else addonPath. */
export function addonPathOf(pid?: number): string {
  if (pid === undefined) return addonPath
  try {
    for (const line of fs.readFileSync(`/proc/${pid}/maps`, 'utf8').split('\n')) {
      const m = /\s(\/\S*\/sonde(?:\.abi\d+)?\.node)$/.exec(line)
      if (m) return m[1]
    }
  } catch { /* not ours to read, or gone: fall back */ }
  return addonPath
}

export function findOneLiner(name: string): OneLiner | undefined {
  return oneLiners.find((o) => o.name === name)
}

/** The .bt file as shipped (header and placeholders included). */
export function readOneLinerFile(o: OneLiner): string {
  return fs.readFileSync(path.join(oneLinerDir, `${o.name}.bt`), 'utf8')
}

/** The program without the shebang and the header comment. */
export function programOf(source: string): string {
  return source.replace(/^#!.*\n/, '').replace(/^\s*\/\*[\s\S]*?\*\/\s*/, '').trim() + '\n'
}

/** The header comment's text (purpose, usage, example, overhead), without comment markers. */
export function headerOf(source: string): string {
  const m = /\/\*([\s\S]*?)\*\//.exec(source)
  return m ? m[1].split('\n').map((l) => l.replace(/^ \* ?/, '').replace(/^ \*$/, '')).join('\n').trim() : ''
}

export interface RenderOptions { pid?: number; provider?: string }

/** What a user provider's name may be (a C identifier, as in its USDT notes). */
export const PROVIDER_NAME = /^[A-Za-z_]\w*$/

export type OneLinerParam = 'pid' | 'provider'

/** The parameters a one-liner needs filled (--pid, --provider), read from its program. */
export function needsOf(o: OneLiner): OneLinerParam[] {
  const needs: OneLinerParam[] = []
  if (o.needsPid) needs.push('pid')
  if (readOneLinerFile(o).includes('SONDE_PROVIDER')) needs.push('provider')
  return needs
}

/** The runnable program: placeholders filled. */
export function renderProgram(o: OneLiner, opts: RenderOptions = {}): string {
  return programOf(readOneLinerFile(o))
    .replace(/SONDE_ADDON/g, addonPathOf(opts.pid))
    .replace(/SONDE_PROVIDER/g, opts.provider ?? 'myapp')
}

/** bpftrace arguments (after the binary) for this one-liner: [-p PID] -e PROGRAM [PID]. */
export function bpftraceArgs(o: OneLiner, opts: RenderOptions = {}): string[] {
  const args: string[] = []
  if (opts.pid !== undefined) args.push('-p', String(opts.pid))
  args.push('-e', renderProgram(o, opts))
  if (opts.pid !== undefined && /\$1\b/.test(args[args.length - 1])) args.push(String(opts.pid))
  return args
}

/** The environment bpftrace runs in for this one-liner: `base` plus what the one-liner needs, where `base` does not set it. */
export function bpftraceEnv(o: OneLiner, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return { ...o.env, ...base }
}

function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`
}

/**
 * A command that pastes and runs as-is: with a PID it is filled in; a one-liner that needs
 * one and got none picks the caller's newest `node` process with pgrep (printed so it is
 * visible; another user's process would be the wrong one, and one bpftrace may not see).
 */
export function renderCommand(o: OneLiner, opts: RenderOptions = {}): string {
  const env = Object.entries(o.env ?? {}).map(([k, v]) => `${k}=${shellQuote(v)} `).join('')
  if (opts.pid !== undefined || !o.needsPid) return env + ['bpftrace', ...bpftraceArgs(o, opts)].map(shellQuote).join(' ')
  const prog = renderProgram(o, opts)
  return `P=$(pgrep -n -u "$(id -u)" -x node); ${env}bpftrace -p "$P" -e ${shellQuote(prog)}${/\$1\b/.test(prog) ? ' "$P"' : ''}`
}
