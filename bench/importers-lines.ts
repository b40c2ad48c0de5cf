// Import speed of the streamed line formats (folded, perf script) on ~40 MB inputs written
// to a temp file, through importProfileFile (the CLI path). Each import runs in a fresh
// child process so its peak RSS is its own; baseline in the same child: reading the same
// file and splitting it into lines with indexOf. Medians of 3 runs.
//   node --import tsx bench/importers-lines.ts
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { spawnSync } from 'node:child_process'
import { importProfileFile } from '../viz/importers'

const MB = 1024 * 1024

function folded(file: string, diverse: boolean): void {
  let seed = 7 // mulberry32: an LCG's low bits repeat and would collapse the "diverse" tree
  const rnd = (n: number) => {
    seed = (seed + 0x6d2b79f5) | 0
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed)
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4294967296) * n)
  }
  const names = Array.from({ length: 2000 }, (_, i) => `mod${i % 37}.Function_${i}_handler`)
  const out: string[] = []
  let bytes = 0
  while (bytes < 40 * MB) {
    const depth = 8 + rnd(33)
    const s: string[] = []
    let f = rnd(20)
    for (let i = 0; i < depth; i++) { s.push(names[f]); f = (f * 7 + rnd(diverse ? 2000 : 2)) % 2000 }
    const line = `${s.join(';')} ${1 + rnd(50)}\n`
    out.push(line)
    bytes += line.length
  }
  fs.writeFileSync(file, out.join(''))
}

function perf(file: string): void {
  const sample = fs.readFileSync(path.join(__dirname, '../test/fixtures/perf/node20_worker_pid-tid.perf'), 'utf8')
  fs.writeFileSync(file, sample.repeat(Math.ceil((40 * MB) / sample.length)))
}

function baseline(file: string): number {
  const t0 = performance.now()
  const text = fs.readFileSync(file, 'utf8')
  let n = 0
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++
  if (n < 0) throw new Error('unreachable')
  return performance.now() - t0
}

const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]

interface Run { baseMs: number; importMs: number; nodes: number; rssMB: number }

async function importOne(file: string): Promise<void> {
  const baseMs = baseline(file)
  const t0 = performance.now()
  const p = await importProfileFile(file)
  const importMs = performance.now() - t0
  const nodes = p.threads.reduce((s, t) => s + (t.tree?.size ?? 0), 0)
  const run: Run = { baseMs, importMs, nodes, rssMB: process.resourceUsage().maxRSS / 1024 }
  process.stdout.write(JSON.stringify(run))
}

async function main(): Promise<void> {
  const inputs: [string, (f: string) => void][] = [
    ['folded, narrow tree (2 callees per frame)', (f) => folded(f, false)],
    ['folded, every line a new path (worst case)', (f) => folded(f, true)],
    ['perf script (real fixture repeated)', perf],
  ]
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sonde-bench-'))
  console.log('| input | size | baseline (read + split) | importProfileFile | ratio | tree nodes | peak RSS |')
  console.log('|---|---|---|---|---|---|---|')
  for (const [label, make] of inputs) {
    const file = path.join(dir, 'input')
    make(file)
    const size = fs.statSync(file).size
    const runs: Run[] = []
    for (let r = 0; r < 3; r++) {
      const c = spawnSync(process.execPath, ['--import', 'tsx', __filename, '--one', file], { encoding: 'utf8' })
      runs.push(JSON.parse(c.stdout) as Run)
    }
    const m = (k: keyof Run) => median(runs.map((x) => x[k]))
    console.log(`| ${label} | ${(size / MB).toFixed(1)} MB | ${m('baseMs').toFixed(0)} ms | ${m('importMs').toFixed(0)} ms | ${(m('importMs') / m('baseMs')).toFixed(1)}× | ${runs[0].nodes} | ${m('rssMB').toFixed(0)} MB |`)
    fs.rmSync(file)
  }
  fs.rmSync(dir, { recursive: true })
}

if (process.argv[2] === '--one') void importOne(process.argv[3])
else void main()
