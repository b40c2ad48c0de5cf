// Every fixture → folded text (or exact-graph dump) → committed golden file; the same input
// imported from memory under an unknown name (content sniffing) gives the same text.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import fs from 'node:fs'
import path from 'node:path'
import { importProfileFile, importProfileText } from '../../../viz/importers'
import { toFolded } from '../../../viz/writers/folded'
import { checkGolden, exactText, root } from './golden-file'

// [fixture under test/fixtures, expected format id, expected unit]
const cases: [string, string, string][] = [
  ['chrome/Chrome_65_simple.cpuprofile', 'cpuprofile', 'microseconds'],
  ['node/node_10.11.0_example.cpuprofile', 'cpuprofile', 'microseconds'],
  ['node/selfgen_node20_cpu-prof.cpuprofile', 'cpuprofile', 'microseconds'],
  ['node/node_10.11.0_Heap-20181003T105432.heapprofile', 'heapprofile', 'bytes'],
  ['node/selfgen_node20_heap-prof.heapprofile', 'heapprofile', 'bytes'],
  ['stackcollapse/recursion.txt', 'folded', 'samples'],
  ['bpftrace/node20_ustack_fib.txt', 'bpftrace', 'samples'],
  ['bpftrace/kstack_ustack.handmade.txt', 'bpftrace', 'samples'],
  ['perf/node20_worker_pid-tid.perf', 'perf-script', 'samples'],
  ['perf/node20_worker_default.perf', 'perf-script', 'samples'],
  ['callgrind/prog.callgrind', 'callgrind', 'none'],
  ['gprof2dot/node20_worker_from-perf.json', 'gprof2dot-json', 'samples'],
  ['gprof2dot/handmade_modules.json', 'gprof2dot-json', 'milliseconds'],
  ['callgrind/prog.dump-instr.callgrind', 'callgrind', 'none'],
]

function render(p: Parameters<typeof toFolded>[0]): string {
  return p.threads.some((t) => t.tree) ? toFolded(p) : exactText(p)
}

for (const [fixture, format, unit] of cases) {
  test(`${fixture} → golden`, async () => {
    const file = path.join(root, 'test/fixtures', fixture)
    const p = await importProfileFile(file)
    assert.is(p.format, format)
    assert.is(p.unit, unit)
    const text = render(p)
    const golden = fixture.replace(/\//g, '__') + (p.threads.some((t) => t.tree) ? '.folded' : '.exact.txt')
    const diff = checkGolden(golden, text)
    assert.is(diff, null, diff ?? '')
    // Content sniffing: no extension, no hint.
    const again = importProfileText(fs.readFileSync(file, 'utf8'), 'unknown')
    assert.is(again.format, format)
    assert.is(render(again), text)
  })
}

test('gprof2dot JSON converted from the perf fixture imports to the same stacks as the perf importer', async () => {
  const fromPerf = toFolded(await importProfileFile(path.join(root, 'test/fixtures/perf/node20_worker_pid-tid.perf')))
  const fromJson = toFolded(await importProfileFile(path.join(root, 'test/fixtures/gprof2dot/node20_worker_from-perf.json')))
  assert.is(fromJson, fromPerf)
})

test.run()
