// Where both tools are exact (perf input, gprof2dot --total=callstacks), the top functions'
// self and total % must agree within 0.5 points. Runs when GPROF2DOT=/path/to/gprof2dot.py
// is set (it cannot be installed from the registries here); skips with the reason otherwise.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { importProfileFile } from '../../../viz/importers'
import { deriveCallGraph } from '../../../viz/graph/derive'

const G2D = process.env.GPROF2DOT

/** perf script text of a known, recursive workload: 1 event per sample, leaf first. */
function perfScript(): string {
  let seed = 20260
  const rnd = (n: number) => { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; return (seed >>> 8) % n }
  const out: string[] = []
  let ts = 100
  for (let i = 0; i < 4001; i++) {
    const frames = ['main']
    const depth = 2 + rnd(9)
    for (let d = 1; d < depth; d++) frames.push(rnd(5) === 0 && d > 2 ? frames[d - 2] : `f${d}_${Math.floor(6 * (rnd(100) / 100) ** 2)}`)
    ts += 0.001
    out.push(`app 77/77 ${ts.toFixed(6)}: 1000000 cpu-clock:u: \n` +
      frames.reverse().map((f, k) => `\t    ${(0x401000 + k * 32).toString(16)} ${f}+0x${(k + 4).toString(16)} (/usr/bin/app)\n`).join('') + '\n')
  }
  return out.join('')
}

/** gprof2dot's DOT node labels → name → [total %, self %]. */
function parseGprof2dot(dot: string): Map<string, [number, number]> {
  const m = new Map<string, [number, number]>()
  for (const line of dot.split('\n')) {
    const lab = /^\s*"[^"]*" \[.*label="((?:[^"\\]|\\.)*)"/.exec(line)
    if (!lab || line.includes('->')) continue
    const parts = lab[1].split('\\n')
    const total = /^([\d.]+)%$/.exec(parts[parts.length - 2]), self = /^\(([\d.]+)%\)$/.exec(parts[parts.length - 1])
    if (total && self) m.set(parts[parts.length - 3], [Number(total[1]), Number(self[1])])
  }
  return m
}

if (!G2D) {
  console.log('# skip: GPROF2DOT is not set (fetch jrfonseca/gprof2dot gprof2dot.py and set GPROF2DOT=/path/to/gprof2dot.py)')
  test.skip('top functions agree with gprof2dot --total=callstacks within 0.5 points', () => {})
} else {
  test('top functions agree with gprof2dot --total=callstacks within 0.5 points', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sonde-g2d-'))
    try {
      const file = join(dir, 'known.perf')
      writeFileSync(file, perfScript())
      const r = spawnSync('python3', [G2D, '-f', 'perf', '--total=callstacks', '-n', '0', '-e', '0', file], { encoding: 'utf8', timeout: 120_000 })
      assert.is(r.status, 0, `gprof2dot failed: ${r.stderr}`)
      const theirs = parseGprof2dot(r.stdout)
      const g = deriveCallGraph(await importProfileFile(file, { format: 'perf-script' }))
      const top = [...g.nodes].sort((a, b) => b.total - a.total).slice(0, 15)
      assert.ok(top.length >= 10, 'enough functions to compare')
      let worst = 0
      for (const n of top) {
        const t = theirs.get(n.name)
        assert.ok(t, `gprof2dot has ${n.name}`)
        const total = (100 * n.total) / g.total, self = (100 * n.self) / g.total
        worst = Math.max(worst, Math.abs(total - t![0]), Math.abs(self - t![1]))
        assert.ok(Math.abs(total - t![0]) <= 0.5, `${n.name} total ${total.toFixed(2)} vs gprof2dot ${t![0]}`)
        assert.ok(Math.abs(self - t![1]) <= 0.5, `${n.name} self ${self.toFixed(2)} vs gprof2dot ${t![1]}`)
      }
      console.log(`# ${top.length} top functions, largest difference ${worst.toFixed(3)} points`)
    } finally { rmSync(dir, { recursive: true, force: true }) }
  })
}

test.run()
