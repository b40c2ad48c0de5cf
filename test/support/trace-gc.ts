// V8's `--trace-gc` output, the independent truth the GC tests compare sonde against. V8 prints
// one line per garbage collection on the isolate's thread:
//   [PID:ISOLATE]   T ms: NAME[ (QUALIFIER)] a (b) -> c (d) MB, pooled: e MB, PAUSE / F ms ...
// NAME per line, as printed by the V8s of Node 22 (V8 12.4), 24 (13.6) and 26 (14.x), checked on
// each with and without --minor-ms:
//   Scavenge                                        GCType 1 (kGCTypeScavenge)
//   Minor Mark-Sweep, Incremental Minor Mark-Sweep  GCType 2 (kGCTypeMinorMarkSweep; --minor-ms)
//   Mark-Compact, Incremental Mark-Compact          GCType 4 (kGCTypeMarkSweepCompact)
// V8 14 names a full GC that finished incremental marking "Incremental Mark-Compact" (V8 12 and
// 13 print "Mark-Compact ... finalize incremental marking" for the same GC). QUALIFIER says
// under which circumstances the GC ran and does not change its type: "reduce" (a memory-reducing
// full GC), "interleaved" (a young GC during incremental marking), "during sweeping" (V8 14).
// GCTypes 8 and 16 (start of incremental marking, second-pass weak callbacks) print no line, so
// the tests compare lines with sonde's events of kind & 7.
// A line that starts like a GC line but has a name this table does not know throws: a new V8
// line kind must be added here, never silently left out of the count.

import { spawn } from 'node:child_process'
import { realtimePrefix } from './system'
import path from 'node:path'

export type TraceGcKind = 1 | 2 | 4

export interface TraceGcLine {
  pid: number
  /** the isolate's address as V8 prints it ("0x..."), as the addon's isolateAddress() returns it */
  isolate: string
  name: string
  kind: TraceGcKind
  /** the GC's own pause (the first number of "PAUSE / F ms") */
  pauseMs: number
}

const KINDS: Record<string, TraceGcKind> = {
  'Scavenge': 1,
  'Minor Mark-Sweep': 2,
  'Incremental Minor Mark-Sweep': 2,
  'Mark-Compact': 4,
  'Incremental Mark-Compact': 4,
}

const PREFIX = /^\[(\d+):(0x[0-9a-f]+)\]\s+[\d.]+ ms: /
const BODY = /^([A-Za-z][A-Za-z -]*?)(?: \(([a-z ]+)\))? [\d.]+ \([\d.]+\) -> [\d.]+ \([\d.]+\) MB, (?:pooled: [\d.]+ MB, )?([\d.]+) \/ [\d.]+ ms/

/** The GC a --trace-gc line reports; null for any other line; throws on a GC line of unknown shape. */
export function parseTraceGcLine(line: string): TraceGcLine | null {
  const p = PREFIX.exec(line)
  if (!p) return null
  const rest = line.slice(p[0].length)
  const b = BODY.exec(rest)
  const kind = b ? KINDS[b[1]] : undefined
  if (!b || kind === undefined) throw new Error(`--trace-gc line of unknown shape (add it to test/support/trace-gc.ts): ${line}`)
  return { pid: Number(p[1]), isolate: p[2], name: b[1], kind, pauseMs: Number(b[3]) }
}

// Both clocks are wall clocks over slightly different windows: V8 times the collection, sonde
// times from its prologue callback to its epilogue callback. A thread preempted inside the few
// microseconds between the two (other work on a loaded machine: a slice is ms long) adds ms to
// one side only (6-11 % of the total pause at load average 7, 0.3-0.7 % without preemption).
// As root the app runs at real-time priority (realtimePrefix).

/**
 * Runs `node --trace-gc --expose-gc -r <dist>/register.js app` line-buffered (stdbuf -oL, so the
 * --trace-gc lines and the app's fd-1 marks keep their order), SONDE_COLLECT=default, at
 * real-time priority when root; resolves with its stdout once it exits 0.
 */
export function runUnderTraceGc(dist: string, app: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const [cmd, ...pre] = [...realtimePrefix, 'stdbuf']
    const c = spawn(cmd, [...pre, '-oL', process.execPath, '--trace-gc', '--expose-gc', '-r', path.join(dist, 'register.js'), app], {
      env: { ...process.env, SONDE_DIST: dist, SONDE_COLLECT: 'default' }, stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = '', err = ''
    const timer = setTimeout(() => { c.kill('SIGKILL'); reject(new Error(`timeout ${out.slice(-500)} ${err}`)) }, 60_000)
    c.stdout.on('data', (d) => { out += d })
    c.stderr.on('data', (d) => { err += d })
    c.on('exit', (code) => { clearTimeout(timer); code === 0 ? resolve(out) : reject(new Error(`exit ${code}: ${err}`)) })
  })
}
