// Per-function self and total % of sonde against gprof2dot (--total=callstacks: per
// function, the share of samples whose stack holds it) on the same files, for every
// format both read: perf script, DTrace, folded with fn (file:line) frames. gprof2dot's
// figures were computed by hand and kept in test/fixtures/gprof2dot/agreement.json
// (README there); functions gprof2dot names by address ([unknown]) are left out.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { importProfileFile } from '../../../viz/importers'
import { deriveCallGraph } from '../../../viz/graph/derive'

const root = join(__dirname, '..', '..', '..')
const figures = JSON.parse(readFileSync(join(root, 'test/fixtures/gprof2dot/agreement.json'), 'utf8')) as
  Record<string, { samples: number; functions: Record<string, [number, number]> }>

for (const [fixture, g] of Object.entries(figures)) {
  test(`${fixture}: every function within 0.5 points of gprof2dot`, async () => {
    const graph = deriveCallGraph(await importProfileFile(join(root, 'test/fixtures', fixture)))
    assert.is(graph.total, g.samples, 'same sample count')
    const ours = new Map(graph.nodes.map((n) => [`${n.module ?? n.file ?? 'inlined'}\n${n.name}`, n]))
    let worst = 0, compared = 0
    for (const [label, [total, self]] of Object.entries(g.functions)) {
      const name = label.slice(label.indexOf('\n') + 1)
      if (/^(0x)?[0-9a-f]+$/.test(name)) continue
      const n = ours.get(label)
      assert.ok(n, `sonde has ${JSON.stringify(label)}`)
      const t = (100 * n!.total) / graph.total, s = (100 * n!.self) / graph.total
      worst = Math.max(worst, Math.abs(t - total), Math.abs(s - self))
      assert.ok(Math.abs(t - total) <= 0.5, `${label} total ${t.toFixed(2)} vs gprof2dot ${total}`)
      assert.ok(Math.abs(s - self) <= 0.5, `${label} self ${s.toFixed(2)} vs gprof2dot ${self}`)
      compared++
    }
    assert.ok(compared >= 4, 'enough functions compared')
    console.log(`# ${fixture}: ${compared} functions, largest difference ${worst.toFixed(3)} points`)
  })
}

test.run()
