// `sonde callgraph` on 10^6 distinct function names (folded and V8 cpuprofile): peak RSS
// under 1 GB, and time that grows linearly (10^6 names against 250 000 in the same run, each
// the faster of two runs: linear gives about 4, GC over a 4× larger heap adds some, quadratic
// would give 16; the bound is 8). Absolute time is not asserted (a shared machine);
// bench/callgraph-names.ts reports it.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { writeDistinctCpuprofile, writeDistinctFolded } from '../support/distinct-names'

const root = join(__dirname, '..', '..')
const tmp = mkdtempSync(join(tmpdir(), 'sonde-cg-scale-'))

function run(file: string): { ms: number; rssMB: number } {
  const rssFile = join(tmp, 'rss')
  const t0 = Date.now()
  const r = spawnSync(process.execPath, ['-r', join(root, 'test', 'support', 'peak-rss.js'), join(root, 'bin', 'sonde.js'), 'callgraph', file, '-o', join(tmp, 'out.svg')],
    { encoding: 'utf8', timeout: 300_000, env: { ...process.env, SONDE_PEAK_RSS_FILE: rssFile } })
  const ms = Date.now() - t0
  assert.is(r.status, 0, r.stderr)
  return { ms, rssMB: Number(readFileSync(rssFile, 'utf8').split(' ')[0]) / 1024 }
}

for (const [kind, write] of [['folded', writeDistinctFolded], ['cpuprofile', writeDistinctCpuprofile]] as const) {
  test(`10^6 distinct names (${kind}): peak RSS < 1 GB, time linear in the number of names`, () => {
    const small = join(tmp, `names-250k.${kind}`), big = join(tmp, `names-1m.${kind}`)
    write(small, 250_000)
    write(big, 1_000_000)
    const s = [run(small), run(small)].sort((a, b) => a.ms - b.ms)[0]
    const b = [run(big), run(big)].sort((a, b) => a.ms - b.ms)[0]
    rmSync(small); rmSync(big)
    console.log(`# callgraph ${kind}, distinct names: 250 000 → ${s.ms} ms ${s.rssMB.toFixed(0)} MB; 10^6 → ${b.ms} ms ${b.rssMB.toFixed(0)} MB; time ratio ${(b.ms / s.ms).toFixed(2)}`)
    assert.ok(b.rssMB < 1024, `peak RSS ${b.rssMB.toFixed(0)} MB`)
    assert.ok(b.ms / s.ms < 8, `time ratio ${(b.ms / s.ms).toFixed(2)} for 4× the names`)
  })
}

test.after(() => rmSync(tmp, { recursive: true, force: true }))
test.run()
