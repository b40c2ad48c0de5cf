// fprof importer: every analyse variant written by Debian's OTP 25 (test/fixtures/fprof,
// see PROVENANCE.md) against (1) a line-based reading of the same file, (2) call counts
// known from the programs themselves, (3) the other variants of the same run.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import fs from 'node:fs'
import path from 'node:path'
import { importFromFprof, isFprof } from '../../../viz/importers/fprof'
import type { Profile } from '../../../viz/model/profile'
import { selectThreads } from '../../../viz/graph/select-threads'
import { importProfileFile, importProfileText } from '../../../viz/importers'
import { deriveCallGraph } from '../../../viz/graph/derive'
import { expectedThreads, importedRows, oracle, table } from './fprof-oracle'

const root = path.resolve(__dirname, '../../..')
const dir = path.join(root, 'test/fixtures/fprof')
const goldenDir = path.join(root, 'test/golden/importers/fprof')
const read = (f: string) => fs.readFileSync(path.join(dir, f), 'utf8')
const load = (f: string) => importFromFprof(read(f), f)!
const VARIANTS = ['default', 'no-callers', 'totals', 'totals-no-callers', 'no-details', 'no-details-totals', 'sort-own', 'cols23', 'cols120']
const FILES = ['fib.otp25.analysis', ...['fib', 'procs', 'quoted'].flatMap((p) => VARIANTS.map((v) => `${p}.${v}.analysis`))]

const ownSum = (p: Profile) => p.threads.reduce((s, t) => s + t.exact!.functions.reduce((a, f) => a + f.self, 0), 0)
const fn = (p: Profile, thread: string, name: string) => importedRows(p, thread).get(name)

test('fixtures: every analyse variant is present', () => {
  for (const f of FILES) assert.ok(fs.existsSync(path.join(dir, f)), f)
})

for (const f of FILES) {
  test(`${f}: CNT, ACC, OWN per function = the file's; sum of OWN = totals line`, () => {
    const text = read(f)
    assert.ok(isFprof(text))
    const p = load(f)
    assert.is(p.format, 'fprof')
    assert.is(p.unit, 'microseconds')
    const blocks = oracle(text)
    const totals = blocks.find((b) => b.name === 'totals')!
    const want = expectedThreads(blocks)
    assert.equal(p.threads.map((t) => t.name), want.map((b) => b.name))
    for (const b of want) {
      const got = importedRows(p, b.name)
      assert.is(got.size, b.functions.size, `${b.name}: number of functions`)
      for (const [name, row] of b.functions) assert.equal(got.get(name), row, `${b.name} ${name}`)
      const t = p.threads.find((x) => x.name === b.name)!
      assert.is(t.exact!.total, b.header.own, `${b.name} header OWN`)
    }
    assert.is(p.meta.totalOwn, totals.header.own)
    assert.is(p.meta.totalAcc, totals.header.acc)
    const details = !f.includes('no-details')
    const hasFunctions = details || f.includes('totals')
    // Summed over threads, never over the totals block as well: no double counting.
    assert.is(ownSum(p), hasFunctions ? totals.header.own : 0)
    assert.is(p.threads.reduce((s, t) => s + t.exact!.total!, 0), totals.header.own)
    const withCallers = !f.includes('no-callers') && hasFunctions
    assert.is(p.threads.some((t) => t.exact!.edges.length > 0), withCallers)
  })
}

/** Calls of fib(N) made to compute fib(N), computed here, not read from any file. */
function fibCalls(n: number): number {
  return n <= 1 ? 1 : 1 + fibCalls(n - 1) + fibCalls(n - 2)
}

test('fib: CNT equals the calls fib.erl makes (sum of fib(1..15) calls, 15 funs)', () => {
  let calls = 0
  for (let n = 1; n <= 15; n++) calls += fibCalls(n)
  assert.is(calls, 5149)
  for (const f of FILES.filter((x) => x.startsWith('fib.') && !x.endsWith('.no-details.analysis'))) {
    const p = load(f)
    const t = p.threads[0].name
    assert.is(fn(p, t, 'fib:fib/1')!.cnt, calls, f)
    assert.is(fn(p, t, "fib:'-run/0-fun-0-'/2")!.cnt, 15, f)
    const self = p.threads[0].exact!.edges.filter((e) => p.frames.get(e.caller).name === 'fib:fib/1' && e.caller === e.callee)
    if (p.threads[0].exact!.edges.length) assert.is(self[0].calls, calls - 15, `${f} fib→fib edge`)
  }
})

test('procs: one thread per process; sum/1 CNT = 200·N+1 in worker N, echo/0 CNT 4', () => {
  for (const v of ['default', 'totals', 'no-callers', 'cols23', 'sort-own']) {
    const p = load(`procs.${v}.analysis`)
    assert.is(p.threads.length, 5)
    let workers = 0
    for (const t of p.threads) {
      const as = String(p.meta[`${t.name} spawned_as`] ?? '')
      const m = /^\{procs,worker,\["<0\.\d+\.0>",(\d),"a, \{b\} \\"c\\"",#\{k => <<"v,\}">>\}\]\}$/.exec(as)
      if (m) {
        workers++
        assert.is(fn(p, t.name, 'procs:sum/1')!.cnt, 200 * Number(m[1]) + 1, `${v} ${t.name}`)
        assert.is(p.meta[`${t.name} spawned_by`], '<0.9.0>')
        assert.is(p.meta[`${t.name} initial_calls`], '[{procs,worker,4},{procs,sum,1}]')
      }
      if (as === '{procs,echo,[]}') assert.is(fn(p, t.name, 'procs:echo/0')!.cnt, 4)
    }
    assert.is(workers, 3, v)
  }
})

test('--process: chosen by pid, bare pid or quoted; every process by default; unknown → OptionError listing them', () => {
  const all = load('procs.default.analysis')
  assert.equal(all.threads.map((t) => t.name), ['<0.84.0>', '<0.83.0>', '<0.82.0>', '<0.9.0>', '<0.81.0>'])
  for (const w of ['<0.82.0>', '0.82.0', "'<0.82.0>'"]) assert.equal(selectThreads(all, w).map((t) => t.name), ['<0.82.0>'], w)
  const one = selectThreads(all, '<0.82.0>')[0]
  assert.is(one.exact!.total, 578)
  try {
    selectThreads(all, '<0.99.0>')
    assert.unreachable()
  } catch (e: any) {
    assert.is(e.name, 'OptionError')
    assert.match(e.message, "no thread or process named '<0.99.0>'")
    assert.match(e.message, "'<0.84.0>', '<0.83.0>', '<0.82.0>', '<0.9.0>', '<0.81.0>'")
  }
})

test('the variants of one run agree; {totals, true} merged block = sum over processes', () => {
  for (const prog of ['fib', 'procs', 'quoted']) {
    const base = load(`${prog}.default.analysis`)
    const rows = (p: Profile) => p.threads.map((t) => [t.name, [...importedRows(p, t.name)].sort()])
    for (const v of ['totals', 'sort-own', 'cols23', 'cols120', 'no-callers', 'totals-no-callers']) {
      assert.equal(rows(load(`${prog}.${v}.analysis`)), rows(base), `${prog}.${v}`)
    }
    const merged = new Map<string, { cnt: number, acc: number, own: number }>()
    for (const t of base.threads) {
      for (const [name, r] of importedRows(base, t.name)) {
        const m = merged.get(name) ?? { cnt: 0, acc: 0, own: 0 }
        merged.set(name, { cnt: m.cnt + r.cnt, acc: m.acc + (r.acc ?? 0), own: m.own + r.own })
      }
    }
    const tot = load(`${prog}.no-details-totals.analysis`)
    assert.equal([...importedRows(tot, 'totals')].sort(), [...merged].sort(), prog)
  }
})

test('frames: MFAs are erlang frames with their module, quoted as Erlang prints them; pseudo functions', () => {
  const p = load('quoted.default.analysis')
  const names = new Map(p.frames.frames.map((f) => [f.name, f]))
  for (const n of ["'Elixir.Quoted':'weird name'/1", "'Elixir.Quoted':'it\\'s'/0", "'Elixir.Quoted':'back\\\\slash'/1", "'Elixir.Quoted':'-run/0-fun-0-'/1"]) {
    assert.is(names.get(n)?.kind, 'erlang', n)
    assert.is(names.get(n)?.module, 'Elixir.Quoted', n)
  }
  assert.is(fn(p, '<0.9.0>', "'Elixir.Quoted':'weird name'/1")!.cnt, 7)
  assert.is(fn(p, '<0.9.0>', "'Elixir.Quoted':'back\\\\slash'/1")!.cnt, 7)
  // Printed over two lines by fprof (~p wraps at 80 columns).
  assert.is(fn(p, '<0.9.0>', "'Elixir.Quoted':a_function_name_long_enough_that_fprof_wraps_the_mfa_over_two_lines/1")!.cnt, 1)
  const fib = load('fib.default.analysis')
  for (const n of ['suspend', 'garbage_collect', 'undefined']) assert.is(fib.frames.frames.find((f) => f.name === n)?.kind, 'pseudo', n)
  assert.is(fib.frames.frames.find((f) => f.name === 'lists:foldl/3')?.module, 'lists')
})

test('registry: sniffed by content under an unknown name; call graph totals = totals line', async () => {
  for (const f of FILES) {
    const p = importProfileText(read(f), 'unknown')
    assert.is(p.format, 'fprof', f)
    assert.equal(table(p), table(load(f)), f)
  }
  assert.is((await importProfileFile(path.join(dir, 'procs.totals.analysis'))).threads.length, 5)
  for (const f of ['procs.totals.analysis', 'procs.no-details-totals.analysis', 'fib.otp25.analysis']) {
    const p = load(f)
    const g = deriveCallGraph(p)
    assert.is(g.total, p.meta.totalOwn, f)
    assert.is(g.meta.producerTotal, p.meta.totalOwn, f)
  }
  const fib = deriveCallGraph(load('fib.totals.analysis'))
  assert.is(fib.nodes.find((n) => n.name === 'fib:fib/1')?.calls, 5149)
})

const GOLDEN = ['fib.otp25', 'fib.default', 'procs.default', 'quoted.default', 'procs.no-details-totals', 'quoted.no-callers']
for (const g of GOLDEN) {
  test(`${g}: per-function table matches golden (UPDATE_GOLDEN=1 rewrites)`, () => {
    const actual = table(load(`${g}.analysis`))
    const file = path.join(goldenDir, `${g}.txt`)
    if (process.env.UPDATE_GOLDEN === '1') {
      fs.mkdirSync(goldenDir, { recursive: true })
      fs.writeFileSync(file, actual)
    }
    assert.ok(fs.existsSync(file), `golden ${file} missing (run with UPDATE_GOLDEN=1)`)
    assert.fixture(actual, fs.readFileSync(file, 'utf8'))
  })
}

test.run()
