// `sonde run [--trace-functions PATTERN] [--trace-out FILE] [--cpu-profile FILE [--counts]]
//            [--dashboard PORT] -- node app.js …`
// Runs the command with sonde preloaded through NODE_OPTIONS (so workers and `node` children
// get it too): `-r sonde/register`, plus the function tracer (SONDE_TRACE / SONDE_TRACE_OUT)
// and/or the CPU profile recorder (`--counts` is refused together with the function tracer:
// V8 coverage would describe the instrumented code). Exits with the child's code (128 + signal number when a
// signal ended it). While the child runs, SIGINT/SIGTERM reach it (same process group for
// Ctrl-C; kill -INT and SIGTERM forwarded) and this process waits for it to flush and exit.
import { spawn } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { UsageError } from '../usage-error'
import { isSet } from '../../runtime/config'
import { parseFlags, splitAtCommand, usageError } from '../flags'
import { compileModuleFilter } from '../../tracer/module-pattern'
import { readMatchReport, REPORT_ENV, type MatchReport } from '../../tracer/match-report'

export const summary = 'run a node command with sonde: function tracing, CPU profile (+ exact counts), dashboard'

export const help = `usage: sonde run [options] [--] node app.js …
  --trace-functions PATTERN  trace every call of the functions in the modules PATTERN selects:
                             comma-separated globs (relative ones are taken against the working
                             directory) or /regex/; '' = the app's own files
  --trace-out FILE           where the function trace goes (default sonde.trace)
  --cpu-profile FILE         record a V8 CPU profile of the app into FILE
  --counts                   add V8's exact call counts to the CPU profile (not with --trace-functions)
  --dashboard PORT           serve the live dashboard from the app on 127.0.0.1:PORT (0 = any)
  --stacks                   node flags that make bpftrace's ustack() show JS function names
  -h, --help                 this help
Ctrl-C, SIGINT or SIGTERM to sonde run stop the app, and the trace and profile are written.`

export const options = {
  'trace-functions': { type: 'string' }, 'trace-out': { type: 'string' }, 'cpu-profile': { type: 'string' }, counts: { type: 'boolean' },
  dashboard: { type: 'string' }, stacks: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
} as const

const COUNTS_WITH_TRACE = '--counts cannot be combined with --trace-functions (or SONDE_TRACE): V8 coverage offsets would point into the instrumented code; the function trace has exact CNT already'

export interface RunOptions {
  traceFunctions?: string
  traceOut?: string
  cpuProfile?: string
  counts: boolean
  dashboard?: number
  /** Node flags that make bpftrace's ustack show JS function names (perf map, no inlining). */
  stacks?: boolean
  command: string[]
}

/**
 * What `--stacks` adds to the child's node flags (bpftrace/oneliners docs: docs/oneliners.md).
 * --perf-basic-prof also opens V8's log: one isolate-*-v8.log per isolate in the working
 * directory (Node 20); `--logfile=+` sends it to an unlinked temporary file instead. Node refuses
 * --logfile in NODE_OPTIONS, so processes the app itself starts still write theirs.
 */
export const STACK_FLAGS = ['--perf-basic-prof', '--no-turbo-inlining', '--no-short-builtin-calls', '--interpreted-frames-native-stack', '--no-logfile-per-isolate', '--logfile=+']
const NODE_OPTIONS_STACK_FLAGS = ['--perf-basic-prof', '--interpreted-frames-native-stack']

export function parseRunArgs(argv: string[]): RunOptions & { help?: boolean } {
  const { flags, rest } = splitAtCommand(argv, options)
  const v = parseFlags('run', flags, options, false).values
  if (v.help) return { counts: false, command: [], help: true }
  const o: RunOptions = {
    traceFunctions: v['trace-functions'], traceOut: v['trace-out'], cpuProfile: v['cpu-profile'], counts: v.counts === true, command: rest,
  }
  if (v.stacks) o.stacks = true
  if (v.dashboard !== undefined) {
    const port = Number(v.dashboard)
    if (v.dashboard.trim() === '' || !Number.isInteger(port) || port < 0 || port > 65535) throw usageError('run', `--dashboard: bad port "${v.dashboard}"`)
    o.dashboard = port
  }
  return check(o)
}

function check(o: RunOptions): RunOptions {
  if (o.command.length === 0) throw usageError('run', 'no command to run')
  if (o.counts && !o.cpuProfile) throw usageError('run', '--counts needs --cpu-profile FILE')
  if (o.traceOut && o.traceFunctions === undefined) throw usageError('run', '--trace-out needs --trace-functions PATTERN')
  // V8 coverage reports offsets into the code V8 compiled, which for traced modules is the
  // instrumented code (and the sampled times would include the tracer's own cost).
  if (o.counts && o.traceFunctions !== undefined) throw usageError('run', COUNTS_WITH_TRACE)
  if (o.traceFunctions !== undefined) {
    try { compileModuleFilter(o.traceFunctions) } catch (e) { throw usageError('run', `--trace-functions: ${(e as Error).message}`) }
  }
  return o
}

/** dist/ of this install (the built files are what NODE_OPTIONS can preload). */
function distRoot(): string {
  const up = path.resolve(__dirname, '..', '..')
  return path.basename(up) === 'dist' ? up : path.join(up, 'dist')
}

function quote(p: string): string {
  return /[\s"\\]/.test(p) ? `"${p.replace(/(["\\])/g, '\\$1')}"` : p
}

export function childEnv(o: RunOptions, base: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const dist = distRoot()
  const env: NodeJS.ProcessEnv = { ...base }
  const preloads = [path.join(dist, 'register.js')]
  const traceOut = path.resolve(o.traceOut ?? 'sonde.trace')
  if (o.traceFunctions !== undefined) {
    env.SONDE_TRACE = o.traceFunctions
    env.SONDE_TRACE_OUT = traceOut
    delete env.SONDE_TRACE_CREATED
    preloads.push(path.join(dist, 'tracer', 'preload.js'))
  }
  if (o.cpuProfile) {
    env.SONDE_CPU_PROFILE = path.resolve(o.cpuProfile)
    if (o.counts) env.SONDE_CPU_COUNTS = '1'
    preloads.push(path.join(dist, 'tracer', 'cpu-profile-child.js'))
  }
  if (o.dashboard !== undefined) env.SONDE_DASHBOARD = String(o.dashboard)
  // NODE_OPTIONS refuses V8 flags such as --no-turbo-inlining: those go on the node command
  // line (run() below); the two it accepts also reach workers and `node` grandchildren here.
  const extra = [...(o.stacks ? NODE_OPTIONS_STACK_FLAGS : []), ...preloads.filter((p) => fs.existsSync(p)).map((p) => `--require ${quote(p)}`)].join(' ')
  env.NODE_OPTIONS = [base.NODE_OPTIONS, extra].filter(Boolean).join(' ')
  return env
}

/** What sonde run says when --trace-functions selected none of the modules the app loaded. */
export function noMatchWarning(r: MatchReport): string {
  const globs = r.pattern.startsWith('/') && r.pattern.lastIndexOf('/') > 0 ? [] : r.pattern.split(',').map((g) => g.trim()).filter(Boolean)
  const relative = globs.filter((g) => !g.startsWith('/') && !g.startsWith('**'))
  const shown = r.loaded.slice(0, 10).map((f) => path.relative(r.cwd, f) || f)
  const lines = [`sonde: warning: --trace-functions '${r.pattern}' matched none of the ${r.loadedCount} module${r.loadedCount === 1 ? '' : 's'} the app loaded: the trace has no calls`]
  if (shown.length) lines.push(`  loaded (relative to ${r.cwd}): ${shown.join(', ')}${r.loadedCount > shown.length ? `, … ${r.loadedCount - shown.length} more` : ''}`)
  if (relative.length) lines.push(`  a relative glob is taken against the working directory: ${relative.map((g) => `'${g}' means '${path.join(r.cwd, g)}'`).join(', ')}`)
  return lines.join('\n') + '\n'
}

/** Whether this process is in its terminal's foreground process group (where Ctrl-C lands). */
function inForegroundGroup(): boolean {
  try {
    // /proc/self/stat: "pid (comm) state ppid pgrp session tty_nr tpgid …"; comm may hold spaces
    const stat = fs.readFileSync('/proc/self/stat', 'utf8')
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    const pgrp = Number(f[2]), tpgid = Number(f[5])
    return tpgid > 0 && tpgid === pgrp
  } catch { return false }
}

export async function run(argv: string[]): Promise<number> {
  const o = parseRunArgs(argv)
  if (o.help) { process.stdout.write(help + '\n'); return 0 }
  if (o.counts && o.traceFunctions === undefined && isSet('SONDE_TRACE')) throw new UsageError(COUNTS_WITH_TRACE)
  const [cmd, ...args] = o.command
  const exe = cmd === 'node' ? process.execPath : cmd
  const env = childEnv(o)
  const reportFile = o.traceFunctions !== undefined ? path.join(os.tmpdir(), `sonde-trace-report-${process.pid}-${Date.now()}.json`) : undefined
  if (reportFile) env[REPORT_ENV] = reportFile
  const child = spawn(exe, o.stacks && cmd === 'node' ? [...STACK_FLAGS.filter((f) => !NODE_OPTIONS_STACK_FLAGS.includes(f)), ...args] : args, { stdio: 'inherit', env })
  const forward = (sig: NodeJS.Signals): void => { if (child.exitCode === null && child.signalCode === null) try { child.kill(sig) } catch { /* already gone */ } }
  // Ctrl-C reaches the whole foreground process group, the child included: then a second
  // SIGINT from us would reach an app that handles the first one (a graceful shutdown) as a
  // second Ctrl-C, so it is sent only if the child is still running a second later. Any other
  // SIGINT (kill -INT, a supervisor) is forwarded at once.
  let graceTimer: NodeJS.Timeout | undefined
  const onInt = (): void => {
    if (!inForegroundGroup()) return forward('SIGINT')
    graceTimer ??= setTimeout(() => forward('SIGINT'), 1000)
  }
  const onTerm = (): void => forward('SIGTERM')
  process.on('SIGINT', onInt)
  process.on('SIGTERM', onTerm)
  try {
    const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve, reject) => {
      child.on('error', (e) => reject(e))
      child.on('exit', (c, s) => resolve([c, s]))
    })
    if (o.traceFunctions !== undefined) process.stderr.write(`sonde: function trace in ${path.resolve(o.traceOut ?? 'sonde.trace')} (sonde callgraph FILE)\n`)
    if (reportFile) {
      const report = readMatchReport(reportFile)
      if (report && report.matched === 0) process.stderr.write(noMatchWarning(report))
    }
    if (o.cpuProfile) process.stderr.write(`sonde: CPU profile${o.counts ? ' with call counts' : ''} in ${path.resolve(o.cpuProfile)}\n`)
    if (signal) return 128 + (os.constants.signals[signal] ?? 0)
    return code ?? 1
  } finally {
    if (reportFile) fs.rmSync(reportFile, { force: true })
    if (graceTimer) clearTimeout(graceTimer)
    process.removeListener('SIGINT', onInt)
    process.removeListener('SIGTERM', onTerm)
  }
}
