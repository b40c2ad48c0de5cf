// What the page asks of a stored profile, without a browser: the metrics each format has (the
// menu offers only those), errors in the page's words, the flame tree's focus and pseudo-frame
// hiding (weights from a folded input with prime counts), and the page's value formatting.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import fs from 'node:fs'
import path from 'node:path'
import { createProfileOps } from '../../web/server/profile-ops'
import { toFlameTree } from '../../web/server/flame-tree'
import { importProfileText } from '../../viz/importers'
import { plural, valueIn } from '../../web/client/format'
import type { FlameCell } from '../../web/shared/wire'

const fixtures = path.resolve(__dirname, '../fixtures')
const FOLDED = 'main;a;b 23\nmain;c 7\n(idle) 60\n(program) 11\n'

test('metrics: a cpuprofile has time, a folded file samples, fprof time and calls; others refused in the page\'s words', () => {
  const ops = createProfileOps()
  const add = (file: string) => ops.import({ name: path.basename(file), bytes: fs.readFileSync(file), source: 'upload' }).info
  const cpu = add(path.join(fixtures, 'node/selfgen_node20_cpu-prof.cpuprofile'))
  const fprof = add(path.join(fixtures, 'fprof/fib.cols120.analysis'))
  const folded = ops.import({ name: 'small.folded', bytes: Buffer.from(FOLDED), source: 'upload' }).info
  assert.equal(cpu.metrics, ['time'])
  assert.equal(fprof.metrics, ['time', 'calls'])
  assert.equal(folded.metrics, ['samples'])
  const graph = (id: string, query: Record<string, string>) => JSON.parse(ops.graph({ id, query }).body) as { metrics: string[]; dropped: number; nodes: { name: string }[] }
  assert.equal(graph(fprof.id, { metric: 'calls' }).metrics, ['time', 'calls'])
  assert.throws(() => graph(cpu.id, { metric: 'bytes' }), (e: Error) => e.message === 'metric bytes: this profile measures microseconds; it has time')
  assert.throws(() => graph(folded.id, { focus: 'nope' }), (e: Error) => e.message === 'focus: no function named nope in this profile')
  assert.throws(() => graph(folded.id, { nodeThres: '200' }), (e: Error) => !/--/.test(e.message))
  const two = graph(folded.id, { budget: '2', nodeThres: '0' })
  assert.is(two.nodes.length, 2)
  assert.is(two.dropped, 4, '6 functions (main, a, b, c, (idle), (program)), 2 shown')
})

test('upload of something that is no profile: one line, the file once, the accepted formats', () => {
  const ops = createProfileOps()
  assert.throws(() => ops.import({ name: 'notes.txt', bytes: Buffer.from('hello\n'), source: 'upload' }),
    (e: Error) => /^notes\.txt: not a profile format sonde reads \(accepted: .*cpuprofile.*folded\)$/.test(e.message) && e.message.split('notes.txt').length === 2)
})

test('flame tree: hidePseudo drops (idle) and (program) and rescales; focus keeps the stacks through a function', () => {
  const p = importProfileText(FOLDED, 'small.folded')
  const find = (c: FlameCell, n: string): FlameCell | undefined => c.n === n ? c : (c.c ?? []).map((k) => find(k, n)).find(Boolean)
  const sum = (c: FlameCell): number => c.v + (c.c ?? []).reduce((a, k) => a + sum(k), 0)
  const all = toFlameTree(p)
  assert.is(all.total, 101)
  assert.ok(find(all.root, '(idle)'))
  const hidden = toFlameTree(p, { hidePseudo: true })
  assert.is(hidden.total, 30)
  assert.is(find(hidden.root, '(idle)'), undefined)
  assert.is(find(hidden.root, '(program)'), undefined)
  assert.is(sum(find(hidden.root, 'main')!), 30)
  const focused = toFlameTree(p, { focus: /^c$/ })
  assert.is(focused.total, 7)
  assert.is(find(focused.root, 'a'), undefined, 'a is on no stack through c')
  assert.is(sum(find(focused.root, 'main')!), 7)
})

test('page formatting: units and plurals', () => {
  assert.is(valueIn('microseconds', 2.27e6), '2.27 s')
  assert.is(valueIn('samples', 77300), '77.3k samples')
  assert.is(valueIn('samples', 1), '1 sample')
  assert.is(valueIn('bytes', 1536), '1.5 KiB')
  assert.is(plural(1, 'function'), '1 function')
  assert.is(plural(3, 'match', 'matches'), '3 matches')
})

test.run()
