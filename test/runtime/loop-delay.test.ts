// The addon's event-loop delay timer and libuv idle time (runtime/loop-delay.ts), in this process
// with the real addon, against independent truths: a 50 ms synchronous block shows up as one
// sample ≥ 40 ms late (a sample is the time between two runs of the timer minus its 10 ms
// period; the run before the block was at or before its start, the next one after its end);
// utilization over the same intervals agrees with Node's own performance.eventLoopUtilization
// within 0.05, for a busy and an idle one.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { performance } from 'node:perf_hooks'
import { addonStatus } from '../../probes/addon'
import { createLoopUtilization, startLoopDelay } from '../../runtime/loop-delay'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
// performance.now, not Date.now: a Date.now block can end up to 1 ms short of its length
const block = (ms: number) => { const end = performance.now() + ms; while (performance.now() < end) { /* busy */ } }

test('a 50 ms block is one sample >= 40 ms late; idle samples are ~on time', async () => {
  assert.ok(addonStatus().loaded, addonStatus().error)
  const s = startLoopDelay(10)!
  assert.ok(s, 'the addon has the timer')
  await sleep(100)
  s.drain(() => {})
  block(50)
  await sleep(30)
  const late: number[] = []
  s.drain((v) => late.push(v))
  assert.ok(late.some((v) => v >= 40e6), `a sample >= 40 ms late: ${late.map((v) => (v / 1e6).toFixed(1))}`)
  await sleep(200)
  const idle: number[] = []
  assert.is(s.drain((v) => idle.push(v)), 0, 'nothing lost')
  assert.ok(idle.length >= 5, `samples in 200 ms idle: ${idle.length}`)
  s.stop()
  await sleep(50)
  assert.is(s.drain(() => {}), 0)
  const after: number[] = []
  s.drain((v) => after.push(v))
  assert.is(after.length, 0, 'no samples once stopped')
})

test('utilization agrees with performance.eventLoopUtilization (busy and idle intervals)', async () => {
  const ours = createLoopUtilization()!
  assert.ok(ours, 'the addon reads the idle time')
  for (const busy of [true, false]) {
    await sleep(20)
    ours()
    const e0 = performance.eventLoopUtilization()
    if (busy) { for (let i = 0; i < 10; i++) { block(20); await sleep(1) } } else await sleep(200)
    const theirs = performance.eventLoopUtilization(e0).utilization
    const mine = ours()
    process.stdout.write(`  ${busy ? 'busy' : 'idle'}: ours ${mine.toFixed(3)}, perf_hooks ${theirs.toFixed(3)}\n`)
    assert.ok(Math.abs(mine - theirs) <= 0.05, `${mine} vs ${theirs}`)
    assert.ok(busy ? mine > 0.7 : mine < 0.3)
  }
})

test.run()
