#!/usr/bin/env node
// Call-graph renderer bench, run from the repo after `npm run compile`:
//   GPROF2DOT=/tmp/gprof2dot.py node bench/callgraph-vs-gprof2dot.js
// 1. wall time of `sonde callgraph` vs gprof2dot on the same samples (several MB), medians
//    of REPEATS, each a fresh process as a user runs it. gprof2dot gets `perf script` for
//    the perf row, DTrace ustack text for the DTrace row and, for the folded, bpftrace and
//    py-spy rows (formats it does not read), the same samples in DTrace ustack form (the
//    stored gprof2dot has no collapse parser; newer ones crash on -f collapse --total=callstacks);
// 2. a generated 40 MB folded file to DOT: wall time and peak RSS;
// 3. Graphviz (WASM) layout time of the default output for every test fixture, and of
//    both tools' output for the synthetic inputs.
// gprof2dot is not installable from the registries here: without GPROF2DOT its columns say so.
'use strict'
const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { writeInputs } = require('./callgraph-inputs')

const root = path.resolve(__dirname, '..')
const sonde = path.join(root, 'bin', 'sonde.js')
const G2D = process.env.GPROF2DOT
const REPEATS = Number(process.env.REPEATS || 3)
const MB = Number(process.env.BENCH_MB || 5)
const BIG_MB = Number(process.env.BIG_MB || 40)
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sonde-cg-bench-'))

function timed(cmd, args, timeoutMs = 600_000) {
  const t0 = process.hrtime.bigint()
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: timeoutMs, maxBuffer: 1 << 28 })
  const ms = Number(process.hrtime.bigint() - t0) / 1e6
  const rss = /maxrss_kb=(\d+) cpu_ms=(\d+)/.exec(r.stderr || '')
  return { ms, ok: r.status === 0, err: (r.stderr || '').trim().split('\n').slice(-1)[0], rssKb: rss ? Number(rss[1]) : undefined, cpuMs: rss ? Number(rss[2]) : undefined }
}

function median(xs) { const s = [...xs].sort((a, b) => a - b); return s[Math.floor(s.length / 2)] }

function bench(cmd, args) {
  const runs = []
  for (let i = 0; i < REPEATS; i++) {
    const r = timed(cmd, args)
    if (!r.ok) return { failed: r.err }
    runs.push(r.ms)
  }
  return { ms: median(runs) }
}

const fmt = (r) => (r.failed ? `failed: ${r.failed.slice(0, 80)}` : `${(r.ms / 1000).toFixed(2)} s`)
const lines = []
const say = (s) => { lines.push(s); process.stdout.write(s + '\n') }

const load = () => os.loadavg().map((x) => x.toFixed(2)).join(' ')
say(`# call-graph bench — ${new Date().toISOString()}, node ${process.version}, ${os.cpus().length} cpus, repeats ${REPEATS} (median), load average ${load()}`)
say(G2D ? `gprof2dot: ${G2D}` : 'gprof2dot: NOT RUN (set GPROF2DOT=/path/to/gprof2dot.py; it cannot be installed from the registries here)')
const inp = writeInputs(path.join(dir, 'in'), { foldedBytes: MB * 1e6, perfBytes: MB * 1e6, more: true })
const size = (p) => `${(fs.statSync(p).size / 1e6).toFixed(1)} MB`
say('')
say('| input | sonde callgraph → DOT | gprof2dot → DOT | ratio |')
say('|---|---|---|---|')
const rows = [
  ['folded', inp.paths.folded, [], 'dtrace', inp.paths.dtrace],
  ['perf script', inp.paths.perf, [], 'perf', inp.paths.perf],
  ['DTrace ustack', inp.paths.dtrace, [], 'dtrace', inp.paths.dtrace],
  ['bpftrace @[ustack]', inp.paths.bpftrace, [], 'dtrace', inp.paths.dtrace],
  ['py-spy folded fn (file:line)', inp.paths.pyspy, [], 'dtrace', inp.paths.pyspyDtrace],
]
const outs = []
for (const [k, [label, file, extra, gFormat, gFile]] of rows.entries()) {
  const oursOut = path.join(dir, `ours-${k}-${gFormat}.dot`), theirsOut = path.join(dir, `g2d-${k}-${gFormat}.dot`)
  const ours = bench(process.execPath, [sonde, 'callgraph', file, '-o', oursOut, ...extra])
  const theirs = G2D ? bench('python3', [G2D, '-f', gFormat, gFile, '-o', theirsOut]) : { failed: 'not run' }
  const ratio = !ours.failed && !theirs.failed ? `${(ours.ms / theirs.ms).toFixed(2)}×` : '–'
  say(`| ${label} ${size(file)} (gprof2dot: ${gFormat} ${size(gFile)}) | ${fmt(ours)} | ${G2D ? fmt(theirs) : 'not run'} | ${ratio} |`)
  outs.push(oursOut)
  if (G2D && !theirs.failed) outs.push(theirsOut)
}

const big = writeInputs(path.join(dir, 'big'), { foldedBytes: BIG_MB * 1e6, dtrace: false })
const bigRuns = []
for (let i = 0; i < REPEATS; i++) {
  const r = timed(process.execPath, ['-r', path.join(__dirname, 'rss-on-exit.js'), sonde, 'callgraph', big.paths.folded, '-o', path.join(dir, 'big.dot')])
  if (!r.ok) { bigRuns.length = 0; say(`${size(big.paths.folded)} folded → DOT failed: ${r.err}`); break }
  bigRuns.push(r)
}
if (bigRuns.length) {
  const m = (k) => median(bigRuns.map((r) => r[k]))
  say('')
  say(`${size(big.paths.folded)} folded (${big.samples.folded} samples) → DOT, median of ${bigRuns.length}: wall ${(m('ms') / 1000).toFixed(2)} s (runs ${bigRuns.map((r) => (r.ms / 1000).toFixed(2)).join(', ')}), CPU ${(m('cpuMs') / 1000).toFixed(2)} s, peak RSS ${(m('rssKb') / 1024).toFixed(0)} MB (max ${(Math.max(...bigRuns.map((r) => r.rssKb)) / 1024).toFixed(0)} MB); load average now ${load()}`)
}

// Layout of the default output of every fixture that imports.
const fixtures = []
const walk = (d) => { for (const e of fs.readdirSync(d, { withFileTypes: true })) { const p = path.join(d, e.name); if (e.isDirectory()) walk(p); else if (!/\.(md|erl|c|js|sh|ts)$/.test(e.name)) fixtures.push(p) } }
walk(path.join(root, 'test', 'fixtures'))
const dots = []
for (const f of fixtures) {
  const out = path.join(dir, 'fx-' + path.relative(root, f).replace(/[\\/]/g, '_') + '.dot')
  const r = spawnSync(process.execPath, [sonde, 'callgraph', f, '-o', out], { encoding: 'utf8' })
  if (r.status === 0) dots.push(out)
}
const lay = spawnSync(process.execPath, [path.join(__dirname, 'callgraph-layout.js'), ...dots, ...outs], { encoding: 'utf8', timeout: 900_000 })
const times = (lay.stdout || '').trim().split('\n').filter(Boolean).map((l) => { const i = l.lastIndexOf(' '); return [l.slice(0, i), Number(l.slice(i + 1))] })
const fx = times.filter(([f]) => path.basename(f).startsWith('fx-'))
const worst = fx.reduce((m, t) => (t[1] > m[1] ? t : m), ['', 0])
say('')
say(`Graphviz-WASM layout of the default output: ${fx.length} fixtures (of ${fixtures.length} files; the rest are not profiles), slowest ${worst[1]} ms (${path.basename(worst[0]).replace(/^fx-test_fixtures_/, '').replace(/\.dot$/, '')}), median ${median(fx.map((t) => t[1]))} ms`)
for (const [f, ms] of times.filter(([f]) => !path.basename(f).startsWith('fx-'))) say(`layout of ${path.basename(f)} (synthetic ${MB} MB input): ${ms} ms`)
if (lay.status !== 0) say(`layout run ended with ${lay.status ?? lay.signal}: ${(lay.stderr || '').trim().split('\n').slice(-1)[0]}`)
say(`load average at the end: ${load()}`)
fs.rmSync(dir, { recursive: true, force: true })
