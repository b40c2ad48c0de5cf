// The always-on cost of `-r sonde/register` with the default collectors, side by side with
// prom-client's collectDefaultMetrics() and the bare program, in one run:
// - per request: instructions per express hello-world request under callgrind, idle-corrected
//   (bench/callgrind-express.ts), P fresh processes per variant, median and min–max. The servers
//   run with V8's --predictable (one thread, fixed seeds: no concurrent compiler or GC thread whose
//   timing moves the counts between processes), and request-cost measures the share of requests
//   a server at NOMINAL_RPS would (2 %), not one that depends on the machine's load;
// - idle: instructions/s of the same servers left idle after the load (the lowest of three 2 s
//   windows per process; bare's rate is what an idle express server costs by itself);
// - start-up, on an empty program: CPU (user + sys of the child, getrusage through bash's
//   `times`, ms) and peak RSS (/usr/bin/time %M), R paired rounds (each variant and bare in the
//   same round, order rotated), added over bare per round, median and min–max; instructions of
//   the whole start-up under callgrind (every thread, P processes); GCs V8 ran before the app's
//   first line (`--trace-gc` lines before the program's output).
// Instruction counts do not depend on what else the machine runs; the CPU and RSS figures do a
// little (RSS counts the node binary's pages faulted in, CPU the time at this clock).
// Run: node --import tsx bench/always-on.ts [processes=5] [requests=3000] [rounds=11]
// Needs valgrind. BENCH_PARTS=startup runs only the start-up CPU, RSS, GC and compile rows, with
// `-r` of an empty file beside the variants (no valgrind, seconds instead of minutes;
// BENCH_PARTS=startup,instructions adds the start-up instructions); BENCH_STARTUP_REQUIRE=pkg starts a program that requires pkg instead
// of an empty one. BENCH_VARIANTS / BENCH_BEFORE_DIST add sonde variants (bench/express-variants.ts).
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { app, expressVariants, median, sonde, type ExpressVariant } from './express-variants'
import { measureServer, costPerSecUnderCallgrind, inLanes, NOMINAL_RPS, type Run } from './callgrind-express'

const P = Number(process.argv[2] ?? 5), N = Number(process.argv[3] ?? 3000), R = Number(process.argv[4] ?? 11)
const WARM = Number(process.env.BENCH_WARM ?? 2 * N)
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sonde-always-on-'))
const LANES = Math.min(2, os.cpus().length)
const variants = expressVariants({ promClient: { args: [app], env: { BENCH_PROM: '1' } }, sonde: sonde('default') })
const names = Object.keys(variants)
const empty = path.join(tmp, 'empty.js'), first = path.join(tmp, 'first.js')
// BENCH_STARTUP_REQUIRE=express: the start-up program requires that package first (an app's own
// module loading, which pays Node's per-file costs whether sonde is there or not).
const preRequire = process.env.BENCH_STARTUP_REQUIRE ? `require(${JSON.stringify(require.resolve(process.env.BENCH_STARTUP_REQUIRE))})\n` : ''
fs.writeFileSync(empty, preRequire)
fs.writeFileSync(first, preRequire + "process.stdout.write('FIRST LINE\\n')\n")

/** The start-up form of a variant: its preloads (-r …) and environment, before an empty program. */
function startupArgs(name: string, v: ExpressVariant | undefined): { args: string[]; env: Record<string, string> } {
  if (name === 'emptyPreload') return { args: ['-r', path.join(__dirname, 'preloads/empty.js')], env: {} }
  if (name === 'promClient') return { args: ['-r', path.join(__dirname, 'preloads/prom-default.js')], env: {} }
  if (!v) throw new Error(`no variant ${name}`)
  const args = v.args.slice(0, v.args.indexOf(app))
  return { args, env: v.collect ? { ...v.env, SONDE_COLLECT: v.collect } : v.env }
}

/** One start-up: CPU ms of the child (getrusage via bash `times`) and its peak RSS, MB. */
function startOnce(args: string[], env: Record<string, string>): { cpuMs: number; rssMb: number } {
  const rssFile = path.join(tmp, 'rss')
  const script = 'exec 3>&1; /usr/bin/time -f %M -o "$0" "$@" >/dev/null 2>&1; times'
  const r = spawnSync('bash', ['-c', script, rssFile, process.execPath, ...args, empty], { env: { ...process.env, ...env }, encoding: 'utf8' })
  const lines = r.stdout.trim().split('\n'), kids = lines[lines.length - 1].match(/(\d+)m([\d.]+)s/g) ?? []
  const cpuMs = kids.reduce((a, t) => { const m = /(\d+)m([\d.]+)s/.exec(t)!; return a + (Number(m[1]) * 60 + Number(m[2])) * 1000 }, 0)
  return { cpuMs, rssMb: Number(fs.readFileSync(rssFile, 'utf8').trim().split('\n').pop()) / 1024 }
}

/** GCs before the program's first line (--trace-gc lines printed before it). */
function gcsBeforeFirstLine(args: string[], env: Record<string, string>): number {
  const out = execFileSync(process.execPath, ['--trace-gc', ...args, first], { env: { ...process.env, ...env }, encoding: 'utf8' })
  const lines = out.split('\n')
  return lines.slice(0, lines.indexOf('FIRST LINE')).filter((l) => /(Scavenge|Mark-Compact|Minor Mark-Sweep|Mark-Sweep)/.test(l)).length
}

/**
 * Functions V8's optimising compilers (Maglev, TurboFan) compiled during the whole run, counted
 * with --single-threaded so the count does not depend on whether a background compile finished
 * before exit. The first such compile pages in the compiler's code (~1.9-2.5 MB of peak RSS on Node
 * 24 and 26), so a variant that tips one function over V8's threshold pays that at start-up.
 */
function optimisingCompiles(args: string[], env: Record<string, string>): string[] {
  const out = execFileSync(process.execPath, ['--single-threaded', '--trace-opt', ...args, empty], { env: { ...process.env, ...env }, encoding: 'utf8' })
  return [...out.matchAll(/^\[completed compiling \S+ <JSFunction ([^ >]*)/gm)].map((m) => m[1].startsWith('(') ? '(anonymous)' : m[1])
}

/** Instructions of one whole start-up under callgrind, every thread. */
function startupInstructions(name: string, i: number, args: string[], env: Record<string, string>): Promise<number> {
  const out = path.join(tmp, `start-${name}-${i}.out`)
  return new Promise((resolve, reject) => {
    const c = spawn('valgrind', ['--tool=callgrind', '--smc-check=all-non-file', `--callgrind-out-file=${out}`, process.execPath, ...args, empty], { env: { ...process.env, ...env }, stdio: 'ignore' })
    c.once('exit', (code) => {
      if (code !== 0) return reject(new Error(`${name}: callgrind start-up exited ${code}`))
      resolve(Number((/^summary: (\d+)/m.exec(fs.readFileSync(out, 'utf8')) ?? [])[1]))
    })
  })
}

const fmt = (xs: number[], f: (x: number) => string) => `${f(median(xs))} (${f(Math.min(...xs))}–${f(Math.max(...xs))})`
const k = (x: number) => `${(x / 1e3).toFixed(1)} k`, M = (x: number) => `${(x / 1e6).toFixed(2)} M`
const ms = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(1)} ms`, mb = (x: number) => `${x >= 0 ? '+' : ''}${x.toFixed(1)} MB`

const startupOnly = (process.env.BENCH_PARTS ?? '').split(',').includes('startup')
const startupIr = (process.env.BENCH_PARTS ?? '').split(',').includes('instructions')
// Start-up alone also measures `-r` of an empty file: what loading any preload costs, which on
// Node 24 and 26 can be V8's first optimising compile (node:path's code, fed by the loader).
const startNames = startupOnly ? [...names, 'emptyPreload'] : names

const compilesRow = (compiles: Record<string, string[]>, cols: string[]) =>
  `| optimising compiles in the run (--single-threaded) | ${cols.map((n) => `${compiles[n].length}${compiles[n].length && compiles[n].length <= 3 ? ` (${compiles[n].join(', ')})` : ''}`).join(' | ')} |`

function printStartup(cpu: Record<string, number[]>, rss: Record<string, number[]>, gcs: Record<string, number>, compiles: Record<string, string[]>, ir?: Record<string, number[]>): void {
  const out = [
    `start-up on ${preRequire ? `a program requiring ${process.env.BENCH_STARTUP_REQUIRE}` : 'an empty program'}, node ${process.version}, ${R} paired rounds, added over bare, median (min–max)`,
    '',
    `| figure | ${startNames.join(' | ')} |`,
    `|---|${startNames.map(() => '---').join('|')}|`,
    `| start-up added CPU | ${startNames.map((n) => n === 'bare' ? '—' : fmt(cpu[n], ms)).join(' | ')} |`,
    `| start-up added peak RSS | ${startNames.map((n) => n === 'bare' ? '—' : fmt(rss[n], mb)).join(' | ')} |`,
    `| GCs before the first line | ${startNames.map((n) => String(gcs[n])).join(' | ')} |`,
    compilesRow(compiles, startNames),
    ...(ir ? [`| start-up instructions | ${startNames.map((n) => fmt(ir[n], M)).join(' | ')} |`,
      `| start-up added instructions | ${startNames.map((n) => n === 'bare' ? '—' : fmt(ir[n].map((x) => x - median(ir.bare)), M)).join(' | ')} |`] : []),
  ]
  if (cpu.emptyPreload && cpu.sonde) {
    const over = (xs: Record<string, number[]>) => xs.sonde.map((x, i) => x - xs.emptyPreload[i])
    out.push('', `sonde over emptyPreload, per round: peak RSS ${fmt(over(rss), mb)}, CPU ${fmt(over(cpu), ms)}`)
  }
  process.stdout.write(out.join('\n') + '\n')
  fs.rmSync(tmp, { recursive: true, force: true })
}

async function main(): Promise<void> {
  if (!startupOnly || startupIr) execFileSync('valgrind', ['--version'], { stdio: 'ignore' })
  // Start-up first, paired rounds with the order rotated, while nothing else of this bench runs.
  const starts = Object.fromEntries(startNames.map((n) => [n, startupArgs(n, variants[n])]))
  const cpu: Record<string, number[]> = {}, rss: Record<string, number[]> = {}
  for (const n of startNames) { cpu[n] = []; rss[n] = [] }
  for (const n of startNames) startOnce(starts[n].args, starts[n].env)  // warm the page cache
  for (let r = 0; r < R; r++) {
    const order = startNames.map((_, i) => startNames[(i + r) % startNames.length]), got: Record<string, { cpuMs: number; rssMb: number }> = {}
    for (const n of order) got[n] = startOnce(starts[n].args, starts[n].env)
    for (const n of startNames) { cpu[n].push(got[n].cpuMs - got.bare.cpuMs); rss[n].push(got[n].rssMb - got.bare.rssMb) }
  }
  const gcs = Object.fromEntries(startNames.map((n) => [n, gcsBeforeFirstLine(starts[n].args, starts[n].env)]))
  const compiles = Object.fromEntries(startNames.map((n) => [n, optimisingCompiles(starts[n].args, starts[n].env)]))
  if (startupOnly && !startupIr) return printStartup(cpu, rss, gcs, compiles)
  const startJobs = startNames.flatMap((n) => Array.from({ length: Math.max(3, Math.min(P, 5)) }, (_, i) => async () => [n, await startupInstructions(n, i, starts[n].args, starts[n].env)] as const))
  const startIr: Record<string, number[]> = Object.fromEntries(startNames.map((n) => [n, []]))
  for (const [n, ir] of await inLanes(startJobs, LANES)) startIr[n].push(ir)
  if (startupOnly) return printStartup(cpu, rss, gcs, compiles, startIr)

  // Per request and idle: one bare process first (it sets cost-per-sec), then the rest interleaved.
  const full = NOMINAL_RPS
  // Warm-up 2N: V8 is still optimising express's and sonde's functions after N requests (TurboFan
  // compiles ~90 functions in the 3 000 requests after 1 500 at full speed, ~45 after 5 000),
  // one-off work that N counted requests would otherwise carry.
  const opts = (costPerSec: number) => ({ dir: tmp, warm: WARM, requests: N, costPerSec, nodeFlags: ['--predictable'] })
  const probe = await measureServer('bare', variants.bare, 0, opts(0))
  const costPerSec = costPerSecUnderCallgrind(probe, full)
  const runs: Record<string, Run[]> = Object.fromEntries(names.map((n) => [n, []]))
  runs.bare.push(probe)
  const jobs: (() => Promise<void>)[] = []
  for (let i = 0; i < P; i++) for (const n of names) if (!(n === 'bare' && i === 0)) jobs.push(async () => { runs[n].push(await measureServer(n, variants[n], i, opts(costPerSec))) })
  await inLanes(jobs, LANES)

  const per = (n: string) => runs[n].map((r) => r.perRequest), bare = median(per('bare'))
  const rows: [string, (n: string) => string][] = [
    ['instructions per request', (n) => fmt(per(n), k)],
    ['added per request', (n) => n === 'bare' ? '—' : fmt(per(n).map((x) => x - bare), (x) => `${x >= 0 ? '+' : ''}${k(x)}`)],
    ['ratio vs bare (bare ÷ variant)', (n) => fmt(per(n).map((x) => bare / x), (x) => x.toFixed(3))],
    ['idle instructions/s', (n) => fmt(runs[n].map((r) => r.idlePerSecond), M)],
    ['start-up instructions', (n) => fmt(startIr[n], M)],
    ['start-up added instructions', (n) => n === 'bare' ? '—' : fmt(startIr[n].map((x) => x - median(startIr.bare)), M)],
    [`start-up added CPU (${R} paired rounds)`, (n) => n === 'bare' ? '—' : fmt(cpu[n], ms)],
    [`start-up added peak RSS (${R} paired rounds)`, (n) => n === 'bare' ? '—' : fmt(rss[n], mb)],
    ['GCs before the first line', (n) => String(gcs[n])],
  ]
  const out = [
    `always-on cost, node ${process.version}, ${P} processes × ${N} requests per variant (--predictable; cost-per-sec ${costPerSec} under callgrind = the share of a server at ${full} req/s), median (min–max)`,
    '',
    `| figure | ${names.join(' | ')} |`,
    `|---|${names.map(() => '---').join('|')}|`,
    ...rows.map(([label, f]) => `| ${label} | ${names.map(f).join(' | ')} |`),
    compilesRow(compiles, names),
  ]
  process.stdout.write(out.join('\n') + '\n')
  fs.rmSync(tmp, { recursive: true, force: true })
}
main().catch((e) => { process.stderr.write(`always-on: ${e instanceof Error ? e.message : String(e)}\n`); fs.rmSync(tmp, { recursive: true, force: true }); process.exit(1) })
