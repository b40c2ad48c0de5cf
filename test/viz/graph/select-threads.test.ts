// --process: the forms users type select the threads the importers name (fprof pids, perf
// comm-pid/tid, sonde-trace workers), the most specific form first; no match lists the names.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { importProfileFile } from '../../../viz/importers'
import { deriveCallGraph } from '../../../viz/graph/derive'
import { matchThreads, selectThreads } from '../../../viz/graph/select-threads'
import { createProfile, OptionError } from '../../../viz/model/profile'

const fx = join(__dirname, '..', '..', 'fixtures')
const names = (ts: { name: string }[]) => ts.map((t) => t.name)

test('fprof: <0.82.0>, 0.82.0 and "<0.82.0>" pick the process whose header says CNT 209, OWN 0.578 ms', async () => {
  const file = join(fx, 'fprof', 'procs.default.analysis')
  const m = /^\[\{ "<0\.82\.0>",\s*(\d+),\s*undefined,\s*([\d.]+)\}/m.exec(readFileSync(file, 'utf8'))!
  assert.equal([m[1], m[2]], ['209', '0.578'])
  const p = await importProfileFile(file)
  for (const w of ['<0.82.0>', '0.82.0', '"<0.82.0>"', ' 0.82.0 ']) {
    assert.equal(names(selectThreads(p, w)), ['<0.82.0>'], w)
    const g = deriveCallGraph(p, { thread: w })
    assert.is(g.totalCalls, 209, w)
    assert.is(Math.round(g.total), 578, w) // microseconds
  }
  assert.equal(matchThreads(p.threads, '0.8'), [])
})

test('perf script pid/tid: tid, pid/tid and full name pick one thread; a pid alone its main thread; the command all', async () => {
  const p = await importProfileFile(join(fx, 'perf', 'node20_worker_pid-tid.perf'))
  assert.equal(names(p.threads), ['node-16161/16161', 'node-16161/16215'])
  assert.equal(names(matchThreads(p.threads, '16215')), ['node-16161/16215'])
  assert.equal(names(matchThreads(p.threads, '16161/16215')), ['node-16161/16215'])
  assert.equal(names(matchThreads(p.threads, 'node-16161/16215')), ['node-16161/16215'])
  // 16161 is both the pid and the main thread's tid: the thread id is the more specific.
  assert.equal(names(matchThreads(p.threads, '16161')), ['node-16161/16161'])
  assert.equal(names(matchThreads(p.threads, 'node')), ['node-16161/16161', 'node-16161/16215'])
  assert.equal(names(matchThreads(p.threads, '*')), names(p.threads))
  const one = deriveCallGraph(p, { thread: '16215' }).total, other = deriveCallGraph(p, { thread: '16161' }).total
  assert.is(one + other, deriveCallGraph(p).total)
  assert.ok(one > 0 && other > 0)
})

test('perf script without tids (comm-pid): the number picks the thread', async () => {
  const p = await importProfileFile(join(fx, 'perf', 'node20_worker_default.perf'))
  assert.equal(names(matchThreads(p.threads, '16215')), ['node-16215'])
  assert.equal(names(matchThreads(p.threads, 'node-16215')), ['node-16215'])
})

test('sonde-trace workers ("worker N" as tracer/trace-file.ts names them)', () => {
  const p = createProfile('t.trace', 'sonde-trace', 'nanoseconds')
  p.threads.push({ name: 'main' }, { name: 'worker 3' }, { name: 'worker 12' })
  for (const w of ['worker 3', 'worker-3', 'worker3', '3']) assert.equal(names(matchThreads(p.threads, w)), ['worker 3'], w)
  assert.equal(names(matchThreads(p.threads, 'main')), ['main'])
  assert.equal(names(matchThreads(p.threads, '1')), [])
})

test('bpftrace with several stack maps: a thread per map, chosen by @name or name', async () => {
  const { importProfileText } = await import('../../../viz/importers')
  const p = importProfileText('@cpu[\n    f+1\n    main+2\n]: 5\n@off[\n    g+1\n    main+2\n]: 3\n', 'maps.bt.txt')
  assert.equal(names(p.threads), ['@cpu', '@off'])
  assert.equal(names(matchThreads(p.threads, 'off')), ['@off'])
  assert.equal(names(matchThreads(p.threads, '@off')), ['@off'])
  assert.is(deriveCallGraph(p, { thread: 'cpu' }).total, 5)
})

test('no match: OptionError naming the option, the profile and every thread', async () => {
  const p = await importProfileFile(join(fx, 'fprof', 'procs.default.analysis'))
  try {
    selectThreads(p, '0.99.0')
    assert.unreachable()
  } catch (e) {
    assert.instance(e, OptionError)
    assert.match((e as Error).message, /^thread: no thread or process named '0\.99\.0' in .*procs\.default\.analysis \(have: '<0\.84\.0>', '<0\.83\.0>', '<0\.82\.0>', '<0\.9\.0>', '<0\.81\.0>'; \* for all\)$/)
  }
})

test.run()
