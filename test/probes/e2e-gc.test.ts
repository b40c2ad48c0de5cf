// bpftrace -p PID on a real `node -r sonde/register --expose-gc --trace-gc` app: inside a window
// the app marks, sonde:gc__start count = sonde:gc__done count = usdt::node:gc__start count = the
// number of collections V8's own --trace-gc printed in the same run (durations > 0), and
// alloc__sample (started by register's allocation hook because the probe is enabled; no
// collector runs here) attributes samples to the churning function.
// Kinds: --trace-gc prints one line per GC of kind 1, 2 or 4 (every line kind, parsed by
// test/support/trace-gc.ts); V8 also calls the GC callbacks for kind 8 (start of incremental marking, no line of its own)
// and 16 (weak callbacks, no line), so both sides count kind & 7 (as test/probes/gc-hook.test.ts
// does, which proves the same per thread on the addon alone, without register).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { missing, which } from '../support/system'
import { parseTraceGcLine } from '../support/trace-gc'
import { traceApp } from './trace-session'

const skip = missing('root', 'bpftrace', 'tracefs')
const on = '@on[tid] && (arg0 & 7)'
const script = `
usdt::sonde:func__entry /arg2 == 7001/ { @on[tid] = 1; }
usdt::sonde:func__entry /arg2 == 7002/ { delete(@on[tid]); }
usdt::sonde:gc__start /${on}/ { @start = count(); }
usdt::sonde:gc__done /${on}/ { @done = count(); @min_ns = min(arg2); }
usdt::node:gc__start /${on}/ { @node_start = count(); }
usdt::sonde:alloc__sample { @alloc[str(arg1)] = count(); }
END { clear(@on); }
`

/** --trace-gc collections between the MARK lines, and the isolates they came from. */
function traceGcCount(stdout: string): { n: number; isolates: Set<string> } {
  let open = false, n = 0
  const isolates = new Set<string>()
  for (const line of stdout.split('\n')) {
    if (line === 'MARK start') open = true
    else if (line === 'MARK end') open = false
    else {
      const g = parseTraceGcLine(line)
      if (open && g) { n++; isolates.add(g.isolate) }
    }
  }
  return { n, isolates }
}

if (skip) test.skip(`e2e gc (${skip})`, () => {})
else test('gc__start = gc__done = node:gc__start = --trace-gc in the same run; alloc__sample names the allocating function', async () => {
  if (!which('stdbuf')) assert.unreachable('stdbuf (coreutils) missing')
  const s = await traceApp('gc-churn.js', { SONDE_WAIT_PROBE: 'gc__start,gc__done,node:gc__start,alloc__sample,func__entry' }, script,
    { nodeArgs: ['--expose-gc', '--trace-gc'], lineBuffered: true })
  const v = (k: string): number => Number((new RegExp(`^@${k}: (\\d+)$`).exec(s.trace.find((l) => l.startsWith(`@${k}: `)) ?? '') ?? [])[1])
  const { n: expected, isolates } = traceGcCount(s.appStdout)
  const why = `${s.trace.filter((l) => !l.startsWith('@alloc')).join('\n')}\n${s.appStdout.split('\n').filter((l) => /MARK|Scav|Mark-/.test(l)).map((l) => l.slice(0, 70)).join('\n')}`
  assert.ok(expected >= 3, `a few GCs in the window: ${why}`)
  assert.is(isolates.size, 1, 'the window holds the main isolate\'s GCs only (bpftrace counts the main thread\'s)')
  assert.is(v('start'), expected, why)
  assert.is(v('done'), expected, why)
  assert.is(v('node_start'), expected, why)
  assert.ok(v('min_ns') > 0, 'every GC has a duration > 0')
  const alloc = s.trace.filter((l) => l.startsWith('@alloc[')).map((l) => /^@alloc\[(.*)\]: (\d+)$/.exec(l)!).map((m) => [m[1], Number(m[2])] as const)
  const churn = alloc.find(([fn]) => fn === 'churnTheHeap')?.[1] ?? 0
  const total = alloc.reduce((a, [, n]) => a + n, 0)
  console.log(`# --trace-gc ${expected} collections; bpftrace gc__start ${v('start')}, gc__done ${v('done')}, node:gc__start ${v('node_start')}; alloc__sample ${total} (${churn} in churnTheHeap)`)
  assert.ok(churn > 0 && churn >= total / 2, `alloc__sample attributes the churn: ${JSON.stringify(alloc)}`)
  assert.is(s.sem.before.total, 0, 'no semaphore set before attach')
  assert.ok(s.sem.during['node:gc__start'] > 0 && s.sem.during.alloc__sample > 0)
  assert.is(s.sem.after.total, 0, 'every semaphore back to 0 after bpftrace detached')
})

test.run()
