// The perf, DTrace, bpftrace and py-spy fixtures recorded here (README of each folder):
// sniffed format, folded golden, and independent truths — the -F variants of one perf
// recording give the same stacks; sample totals equal the samples perf printed / the
// counts bpftrace and DTrace printed; a fn (file:line) frame is one function unless --lines.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import fs from 'node:fs'
import path from 'node:path'
import { importProfileFile } from '../../../viz/importers'
import { toFolded } from '../../../viz/writers/folded'
import { deriveCallGraph } from '../../../viz/graph/derive'
import { checkGolden, root } from './golden-file'

const cases: [string, string][] = [
  ['perf/c_fib_default.perf', 'perf-script'], ['perf/c_fib_no-time.perf', 'perf-script'], ['perf/c_fib_period.perf', 'perf-script'],
  ['perf/c_fib_srcline.perf', 'perf-script'], ['perf/c_fib_cycles-u.perf', 'perf-script'], ['perf/c_fib_dwarf-inline.perf', 'perf-script'],
  ['perf/dd_kernel.perf', 'perf-script'], ['perf/c_fib_no-comm.perf', 'perf-script'], ['perf/c_fib_frames-only.perf', 'perf-script'],
  ['perf/c_fib_no-callchain.perf', 'perf-script'], ['dtrace/c_fib_ustack.dtrace', 'dtrace'], ['dtrace/dd_ustack.dtrace', 'dtrace'],
  ['dtrace/node_jstack.handmade.dtrace', 'dtrace'], ['bpftrace/c_fib_ustack.txt', 'bpftrace'], ['bpftrace/c_fib_ustack-perf.txt', 'bpftrace'],
  ['bpftrace/c_fib_ustack_kstack.txt', 'bpftrace'], ['bpftrace/c_fib_comm_ustack-perf.txt', 'bpftrace'], ['pyspy/fib_pyspy.txt', 'folded'],
]
const fixture = (f: string) => path.join(root, 'test/fixtures', f)
const text = (f: string) => fs.readFileSync(fixture(f), 'utf8')

for (const [f, format] of cases) {
  test(`${f}: sniffed as ${format}, folded golden`, async () => {
    const p = await importProfileFile(fixture(f))
    assert.is(p.format, format)
    const diff = checkGolden(f.replace(/\//g, '__') + '.folded', toFolded(p))
    assert.is(diff, null, diff ?? '')
  })
}

/** Call stacks of all threads, without thread names (the -F variants name threads differently). */
async function stacks(f: string): Promise<string> {
  const p = await importProfileFile(fixture(f))
  return toFolded({ ...p, threads: [{ name: 'all', tree: p.threads[0].tree }] })
}

test('perf -F variants of one recording: the same stacks, one sample per header line', async () => {
  const base = await stacks('perf/c_fib_default.perf')
  for (const v of ['c_fib_no-time', 'c_fib_period', 'c_fib_srcline', 'c_fib_no-comm', 'c_fib_frames-only']) assert.is(await stacks(`perf/${v}.perf`), base, v)
  const headers = text('perf/c_fib_default.perf').split('\n').filter((l) => /^prog /.test(l)).length
  assert.is(deriveCallGraph(await importProfileFile(fixture('perf/c_fib_default.perf'))).total, headers)
  // without callchains (-G): the leaf of each sample only
  const leaves = await stacks('perf/c_fib_no-callchain.perf')
  assert.is(leaves.split('\n').filter(Boolean).reduce((n, l) => n + Number(l.slice(l.lastIndexOf(' ') + 1)), 0), headers)
  assert.ok(leaves.split('\n').filter(Boolean).every((l) => !l.includes(';')), 'one frame a sample')
  // the DTrace rendering of the same samples
  assert.is(await stacks('dtrace/c_fib_ustack.dtrace'), base)
})

test('bpftrace and DTrace totals are the sums of the printed counts', async () => {
  for (const [f, re] of [['bpftrace/c_fib_ustack.txt', /^\]: (\d+)$/], ['bpftrace/c_fib_ustack-perf.txt', /^\]: (\d+)$/], ['dtrace/node_jstack.handmade.dtrace', /^\s+(\d+)$/]] as const) {
    const sum = text(f).split('\n').reduce((s, l) => s + Number(re.exec(l)?.[1] ?? 0), 0)
    assert.is(deriveCallGraph(await importProfileFile(fixture(f))).total, sum, f)
  }
})

test('[ustack, kstack]: the kernel stack sits above the user leaf; an empty kstack adds nothing', async () => {
  const g = deriveCallGraph(await importProfileFile(fixture('bpftrace/c_fib_ustack_kstack.txt')))
  // entries with kernel frames: a ',' line followed by frames (', ]: N' is an empty kstack)
  const entries = text('bpftrace/c_fib_ustack_kstack.txt').split('\n@[')
  const withKernel = entries.filter((e) => /\n, \n\s+\S/.test(e)).reduce((s, e) => s + Number(/\]: (\d+)/.exec(e)![1]), 0)
  const kernelRoots = g.nodes.filter((n) => n.name.startsWith('asm_'))
  assert.ok(withKernel > 0 && kernelRoots.length > 0)
  assert.is(kernelRoots.reduce((s, n) => s + n.total, 0), withKernel)
  assert.ok(kernelRoots.every((n) => !n.isRoot), 'kernel entry frames are never the root')
  assert.is(g.total, entries.reduce((s, e) => s + Number(/\]: (\d+)/.exec(e)?.[1] ?? 0), 0))
})

test('py-spy fn (file:line): one node per function; --lines splits by line and sums back', async () => {
  const fns = deriveCallGraph(await importProfileFile(fixture('pyspy/fib_pyspy.txt')))
  const byLine = deriveCallGraph(await importProfileFile(fixture('pyspy/fib_pyspy.txt'), { lines: true }))
  const parse = fns.nodes.filter((n) => n.name === 'parse')
  assert.is(parse.length, 1)
  assert.is(parse[0].file, 'fib_sampler.py')
  const parseLines = byLine.nodes.filter((n) => n.name === 'parse')
  assert.ok(parseLines.length > 1, 'parse sampled on several lines')
  assert.is(parseLines.reduce((s, n) => s + n.self, 0), parse[0].self)
  const expected = text('pyspy/fib_pyspy.txt').split('\n').filter((l) => /parse \(/.test(l)).reduce((s, l) => s + Number(l.slice(l.lastIndexOf(' ') + 1)), 0)
  assert.is(parse[0].total, expected)
})

test('--lines on native stacks: one node per call site (+offset), summing back to the function', async () => {
  for (const f of ['perf/c_fib_default.perf', 'dtrace/c_fib_ustack.dtrace', 'bpftrace/c_fib_ustack.txt']) {
    const fns = deriveCallGraph(await importProfileFile(fixture(f)))
    const sites = deriveCallGraph(await importProfileFile(fixture(f), { lines: true }))
    const leaf = fns.nodes.find((n) => n.name === 'leaf_mul')!
    const leafSites = sites.nodes.filter((n) => n.name.startsWith('leaf_mul+'))
    assert.ok(leafSites.length > 1, `${f}: leaf_mul sampled at several offsets`)
    assert.is(leafSites.reduce((s, n) => s + n.self, 0), leaf.self, f)
    assert.is(sites.total, fns.total, f)
  }
})

test('perf --inline frames and srcline --lines', async () => {
  const inl = deriveCallGraph(await importProfileFile(fixture('perf/c_fib_dwarf-inline.perf')))
  assert.ok(inl.nodes.some((n) => n.name === 'inl_mix' && n.module === undefined))
  const lines = deriveCallGraph(await importProfileFile(fixture('perf/c_fib_srcline.perf'), { format: 'perf', lines: true }))
  const fib = lines.nodes.find((n) => n.name === 'fib')!
  assert.is(`${fib.file}:${fib.line}`, 'prog.c:6')
})

test.run()
