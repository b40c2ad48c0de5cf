// fprof importer speed on a ~50 MB analysis built in memory in fprof's own layout
// (720 processes × 300 functions, callers and called lists, quoted module atoms), against
// a baseline in the same process: one pass that splits the text into lines and runs one
// regex per line (the least any importer must do). Medians of 3 runs.
// Run: node --import tsx bench/importers-fprof.ts
import { importFromFprof } from '../viz/importers/fprof'

const pad = (s: string, w: number) => s + ' '.repeat(Math.max(0, w - s.length))
const lpad = (s: string, w: number) => ' '.repeat(Math.max(0, w - s.length)) + s
const ms = (us: number) => (us / 1000).toFixed(3)
const clocks = (head: string, name: string, cnt: number, acc: string, own: number, tail: string) =>
  `${pad(head, 3)}${pad(name + ',', 44)}${lpad(cnt + ',', 6)}${lpad(acc + ',', 10)}${lpad(ms(own), 9)}${tail}`

function analysis(processes: number, functions: number): string {
  const mfa = (p: number, f: number) => `{'Elixir.Mod${p % 17}',fun_${f},${f % 5}}`
  const blocks: string[] = []
  let totalCnt = 0, totalOwn = 0
  for (let p = 0; p < processes; p++) {
    const body: string[] = []
    let cnt = 0, own = 0
    for (let f = 0; f < functions; f++) {
      const c = f + 1, o = (f * 7) % 1000
      body.push(clocks('{[{', mfa(p, (f + functions - 1) % functions), c, ms(o), o, '}],'),
        clocks(' { ', mfa(p, f), c, ms(o), o, '},     %'), clocks(' [{', mfa(p, (f + 1) % functions), c, '0.001', 1, '}]}.'), '')
      cnt += c; own += o
    }
    blocks.push(`[{ "<0.${p}.0>",${lpad(cnt + ',', 40)}undefined,${lpad(ms(own), 9)}}].   %%\n\n${body.join('\n')}\n`)
    totalCnt += cnt; totalOwn += own
  }
  const head = '%% Analysis results:\n{  analysis_options,\n [{callers, true},\n  {sort, acc},\n  {totals, false},\n  {details, true}]}.\n\n'
  return `${head}[{ totals, ${totalCnt}, 99.000, ${ms(totalOwn)}}].  %%%\n\n${blocks.join('\n')}`
}

function baseline(text: string): number {
  let n = 0
  for (const line of text.split('\n')) if (/,\s*(\d+),\s*([\d.]+),\s*([\d.]+)\}/.test(line)) n++
  return n
}

const text = analysis(720, 300)
const timed = (f: () => unknown) => { const t0 = process.hrtime.bigint(); f(); return Number(process.hrtime.bigint() - t0) / 1e6 }
const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[xs.length >> 1]
const b: number[] = [], imp: number[] = []
for (let r = 0; r < 3; r++) {
  b.push(timed(() => baseline(text)))
  imp.push(timed(() => importFromFprof(text, 'bench.analysis')))
}
const mb = text.length / 1e6
process.stdout.write(JSON.stringify({
  bench: 'fprof-import', inputMB: +mb.toFixed(1), baselineMs: Math.round(median(b)), importMs: Math.round(median(imp)),
  importMBps: +(mb / (median(imp) / 1000)).toFixed(1), ratioToBaseline: +(median(imp) / median(b)).toFixed(2),
  heapUsedMB: Math.round(process.memoryUsage().heapUsed / 1e6),
}) + '\n')
