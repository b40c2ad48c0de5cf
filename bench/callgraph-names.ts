// `sonde callgraph FILE -o out.svg` on N distinct function names (folded and V8 cpuprofile,
// test/support/distinct-names.ts), each a fresh process as a user runs it: wall time, CPU time
// (user + system: less moved by other work on a shared machine) and peak RSS (preload
// test/support/peak-rss.js). Baseline in the same run: a process that only reads the same
// file (folded: split into lines; cpuprofile: JSON.parse), the floor any renderer pays. Target: 10^6 names in ≤ 10 s and ≤ 1 GB.
//   node --import tsx bench/callgraph-names.ts [N ...]   (default 250000 1000000)
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { spawnSync } from 'node:child_process'
import { writeDistinctCpuprofile, writeDistinctFolded } from '../test/support/distinct-names'

const root = path.resolve(__dirname, '..')
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sonde-bench-names-'))
const rssFile = path.join(tmp, 'rss')
const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0)

function timed(args: string[]): { s: number; cpu: number; mb: number } {
  const t0 = process.hrtime.bigint()
  const r = spawnSync(process.execPath, ['-r', path.join(root, 'test', 'support', 'peak-rss.js'), ...args],
    { encoding: 'utf8', env: { ...process.env, SONDE_PEAK_RSS_FILE: rssFile }, maxBuffer: 1 << 26 })
  if (r.status !== 0) throw new Error(`${args.join(' ')}: ${r.stderr}`)
  const [kb, cpuUs] = fs.readFileSync(rssFile, 'utf8').split(' ').map(Number)
  return { s: Number(process.hrtime.bigint() - t0) / 1e9, cpu: cpuUs / 1e6, mb: kb / 1024 }
}

const READ = {
  folded: `const t = require('fs').readFileSync(process.argv[1], 'utf8'); let n = 0; for (let i = t.indexOf('\\n'); i >= 0; i = t.indexOf('\\n', i + 1)) n++`,
  cpuprofile: `JSON.parse(require('fs').readFileSync(process.argv[1], 'utf8'))`,
}

console.log('| input | names | file MB | read only: wall s / CPU s / MB | sonde callgraph → SVG: wall s / CPU s / MB | ratio (wall) |')
console.log('|---|---|---|---|---|---|')
for (const n of sizes.length ? sizes : [250_000, 1_000_000]) {
  for (const kind of ['folded', 'cpuprofile'] as const) {
    const file = path.join(tmp, `names.${kind}`)
    ;(kind === 'folded' ? writeDistinctFolded : writeDistinctCpuprofile)(file, n)
    const base = timed(['-e', READ[kind], file])
    const cg = timed([path.join(root, 'bin', 'sonde.js'), 'callgraph', file, '-o', path.join(tmp, 'out.svg')])
    const mb = fs.statSync(file).size / (1 << 20)
    const cell = (r: { s: number; cpu: number; mb: number }) => `${r.s.toFixed(2)} / ${r.cpu.toFixed(2)} / ${r.mb.toFixed(0)}`
    console.log(`| ${kind} | ${n} | ${mb.toFixed(0)} | ${cell(base)} | ${cell(cg)} | ${(cg.s / base.s).toFixed(1)}× |`)
  }
}
fs.rmSync(tmp, { recursive: true, force: true })
