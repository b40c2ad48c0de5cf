// Real bpftrace (root): one profile probe fills @[ustack], @p[ustack(perf)] and
// @k[ustack, kstack] from the same ticks of a running C program, so the three maps hold the
// same user stacks: the importer must give @ and @p the same call graph, and @k the same
// total for every user function, each map's total the sum of the counts bpftrace printed.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawn, spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { importProfileText } from '../../../viz/importers'
import { deriveCallGraph } from '../../../viz/graph/derive'
import { toFolded } from '../../../viz/writers/folded'
import { missing } from '../../support/system'

const skip = missing('root', 'bpftrace', 'tracefs', 'cc-x64')
if (skip) test.skip(`bpftrace stack maps of a live program (${skip})`, () => {})
else test('bpftrace @[ustack], @[ustack(perf)], @[ustack, kstack] of a live program', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sonde-bt-live-'))
  const src = join(__dirname, '../../fixtures/perf/fib-inline.c'), prog = join(dir, 'prog')
  const cc = spawnSync('cc', ['-O2', '-fno-omit-frame-pointer', '-o', prog, src], { encoding: 'utf8' })
  assert.is(cc.status, 0, cc.stderr)
  const child = spawn(prog, ['100000'], { stdio: 'ignore' })
  try {
    const script = `profile:hz:199 /pid == ${child.pid}/ { @[ustack] = count(); @p[ustack(perf)] = count(); @k[ustack, kstack] = count(); } interval:s:2 { exit(); }`
    const r = spawnSync('bpftrace', ['-e', script], { encoding: 'utf8', timeout: 60_000 })
    assert.is(r.status, 0, r.stderr)
    const p = importProfileText(r.stdout, 'live.txt')
    assert.is(p.format, 'bpftrace')
    const byMap = new Map<string, number>()
    let map = ''
    for (const l of r.stdout.split('\n')) {
      const m = /^(@\w*)\[/.exec(l)
      if (m) map = m[1]
      const c = /\]: (\d+)$/.exec(l)
      if (c) byMap.set(map, (byMap.get(map) ?? 0) + Number(c[1]))
    }
    const graph = (name: string) => deriveCallGraph(p, { thread: name })
    const [u, perf, k] = ['@', '@p', '@k'].map(graph)
    for (const [name, g] of [['@', u], ['@p', perf], ['@k', k]] as const) assert.is(g.total, byMap.get(name), name)
    assert.ok(u.total > 50, `enough samples: ${u.total}`)
    for (const fn of ['leaf_mul', 'fib', 'work', 'main']) assert.ok(u.nodes.some((n) => n.name === fn), `${fn} symbolised`)
    const fold = (name: string) => toFolded({ ...p, threads: p.threads.filter((t) => t.name === name).map((t) => ({ ...t, name: 'x' })) })
    assert.is(fold('@p'), fold('@'))
    for (const n of u.nodes) assert.is(k.nodes.find((x) => x.name === n.name)?.total, n.total, n.name)
  } finally {
    child.kill('SIGKILL')
    rmSync(dir, { recursive: true, force: true })
  }
})

test.run()
