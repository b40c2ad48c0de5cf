// runtime/fault-guard.ts: the one breaker. A guard trips at its limit exactly once (one
// warning with the breaker's code, its onTrip run once), is pass-through while off, and a
// re-armed guard trips again without a second warning. An event source's listener guard
// unsubscribes only the faulty listener; the others get every event.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createFaultGuard, FAULT_LIMITS } from '../../runtime/fault-guard'
import { createEventSource } from '../../runtime/runtime-events'

function warningsWith(code: string): { list: Error[]; done: () => Promise<Error[]> } {
  const list: Error[] = []
  const on = (w: Error) => { if ((w as { code?: string }).code === code) list.push(w) }
  process.on('warning', on)
  return { list, done: () => new Promise((r) => setImmediate(() => { process.off('warning', on); r(list) })) }
}

test('trips at maxFaults once, pass-through while off, re-armed trips again silently', async () => {
  const w = warningsWith('SONDE_TEST_FAULT')
  const g = createFaultGuard('probe-x', { maxFaults: 3, code: 'SONDE_TEST_FAULT', warning: (name, n, why) => `${name} ${n} ${why}` })
  let trips = 0, calls = 0
  g.onTrip(() => { trips++ })
  const f = g.wrap((n: number) => { calls++; if (n % 2) throw new Error(`odd ${n}`) })
  for (let n = 1; n <= 11; n += 2) f(n)          // six throwing calls: the first three run
  assert.is(calls, 3)
  assert.is(g.faults, 3)
  assert.is(g.on, false)
  assert.is(trips, 1)
  assert.is(g.run(() => 7), undefined, 'off: run() does not call')
  g.rearm()
  assert.is(g.run(() => 7), 7)
  for (let i = 0; i < 3; i++) g.fault(new Error(`again ${i}`))
  assert.is(g.on, false)
  assert.is(trips, 2)
  assert.is(g.faults, 6)
  const got = await w.done()
  assert.equal(got.map((e) => e.message), ['probe-x 3 odd 5'])
})

test('an event source drops a listener after FAULT_LIMITS.listener faults; the others get every event', async () => {
  const w = warningsWith(FAULT_LIMITS.listener.code)
  const src = createEventSource<number>('test-events')
  let good = 0, badCalls = 0
  src.subscribe(() => { badCalls++; throw new Error('bad listener') })
  src.subscribe((n) => { good += n })
  for (let i = 1; i <= 23; i++) src.emit(i)
  assert.is(good, (23 * 24) / 2)
  assert.is(badCalls, FAULT_LIMITS.listener.maxFaults)
  assert.is(src.faults, FAULT_LIMITS.listener.maxFaults)
  assert.ok(src.active, 'the good listener is still subscribed')
  const got = await w.done()
  assert.equal(got.map((e) => e.message), [`sonde: a test-events listener threw 10 times and was switched off: bad listener`])
})

test('the five breakers keep one code each', () => {
  const codes = Object.values(FAULT_LIMITS).map((l) => l.code)
  assert.equal(codes, ['SONDE_HOOK_FAULT', 'SONDE_LISTENER_FAULT', 'SONDE_GC_HOOK_FAULT', 'SONDE_ALLOC_SAMPLER_FAULT', 'SONDE_COLLECTOR_FAULT'])
})

test.run()
