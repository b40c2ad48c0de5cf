// collectors/collector-set.ts (the table) and collectors/collector.ts (the shared lifecycle):
// which collectors a config makes in the main thread and in a worker, that start() holds each
// subscription once however often it is called, that stop() releases every one (the event
// sources go inactive), and that a fault while starting releases what was already held.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createEventSource, messageEvents, type GcEvent } from '../../runtime/runtime-events'
import { parseCollectSpec } from '../../collectors/config'
import { createCollectorSet } from '../../collectors/collector-set'
import { collectorLifecycle } from '../../collectors/collector'

/** A GC source whose producer only counts its starts and stops (no native ring). */
function gcSource(): { events: ReturnType<typeof createEventSource<GcEvent>>; producing(): number } {
  let on = 0
  const events = createEventSource<GcEvent>('test-gc', () => { on++; return () => { on-- } })
  return { events, producing: () => on }
}
const noGcHook = gcSource().events

test('the table: every default collector in the main thread, the thread-local ones in a worker', () => {
  const main = createCollectorSet(parseCollectSpec('default'), { mainThread: true, gcEvents: noGcHook })
  assert.equal(Object.keys(main.collectors), ['messages', 'gc', 'eventloop', 'http', 'requestCost', 'alloc'])
  assert.equal(Object.values(main.collectors).map((c) => c.name), ['messages', 'gc', 'eventloop', 'http', 'request-cost', 'alloc'])
  const worker = createCollectorSet(parseCollectSpec('default'), { mainThread: false, gcEvents: noGcHook })
  assert.equal(Object.keys(worker.collectors), ['messages', 'gc'])
  const some = createCollectorSet(parseCollectSpec('gc,http'), { mainThread: true, gcEvents: noGcHook })
  assert.equal(Object.keys(some.collectors), ['gc', 'http'])
})

test('start twice holds once; stop releases every subscription; start again works', () => {
  const { events: gcEvents, producing } = gcSource()
  const set = createCollectorSet(parseCollectSpec('gc,messages'), { mainThread: true, gcEvents })
  assert.not.ok(gcEvents.active)
  set.start(); set.collectors.gc!.start()
  assert.ok(gcEvents.active && messageEvents.active)
  assert.is(producing(), 1, 'the source started its producer once')
  for (let i = 0; i < 23; i++) gcEvents.emit({ kind: 1, flags: 0, startNs: i, durationNs: 1000, usedBeforeBytes: 2, usedAfterBytes: 1, committedBeforeBytes: 0, committedAfterBytes: 0, threadId: 0 })
  assert.is(set.collectors.gc!.snapshot().count, 23, 'one subscription: each GC counted once')
  set.stop()
  assert.not.ok(gcEvents.active || messageEvents.active)
  assert.is(producing(), 0, 'and stopped it after the last subscriber')
  assert.is(set.collectors.gc!.running, false)
  set.start()
  assert.ok(set.collectors.gc!.running && gcEvents.active)
  set.stop()
  assert.not.ok(gcEvents.active)
})

test('a fault while starting stops the collector and releases what it already held', async () => {
  const released: string[] = []
  const life = collectorLifecycle('test-start-fault', (hold) => {
    hold(() => released.push('first'))
    life.guard.fault(new Error('cannot start'))
    hold(() => released.push('after the fault'))
  })
  const warned = new Promise<Error>((r) => process.once('warning', r))
  life.start()
  assert.is(life.running, false)
  assert.equal(released, ['first', 'after the fault'])
  life.stop()
  assert.equal(released, ['first', 'after the fault'], 'nothing released twice')
  assert.match((await warned).message, /test-start-fault collector threw and was switched off: cannot start/)
})

test.run()
