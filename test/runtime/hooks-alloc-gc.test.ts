// The native producers and their owners, in this process with the real addon: the sampler runs
// only while alloc__sample is enabled (the alloc hook's retain) or allocSampleEvents has a
// listener (samples seen stay flat otherwise), one sampler for both, still running for the
// tracer after the listener leaves; the GC ring feeds gcEvents once a listener subscribes and
// stops after the last. The probe is a stand-in whose `enabled` the test flips (what bpftrace
// does to the semaphore); pollGates() replaces the wait for the 250 ms poll.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import v8 from 'node:v8'
import vm from 'node:vm'
import { addonStatus } from '../../probes/addon'
import { allocSamplerStats, allocSampleEvents, startAllocSampler, DEFAULT_ALLOC_POLL_MS } from '../../runtime/alloc-sampler'
import { gcEvents } from '../../runtime/gc-ring'
import type { GcEvent } from '../../runtime/runtime-events'
import { installAllocHook } from '../../runtime/hooks/alloc-hook'
import { pollGates } from '../../runtime/hooks/probe-gate'

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const tick = () => new Promise<void>((r) => queueMicrotask(r))
let sink: unknown[] = []
function allocate(): void { sink = []; for (let i = 0; i < 200_000; i++) sink.push({ i, s: 'x' + i }) }
/** Samples V8 took while `allocate()` ran (0 when no sampler runs). */
async function samplesDuring(): Promise<number> {
  const before = allocSamplerStats().samples
  allocate()
  await sleep(DEFAULT_ALLOC_POLL_MS + 100) // the sampler counts samples when it polls
  return allocSamplerStats().samples - before
}

const probe = { enabled: false, fire() { /* stand-in: the sampler fires the real probe natively */ } }
const warnings: string[] = []
process.on('warning', (w) => warnings.push(String((w as { code?: string }).code)))

test('alloc: no listener, no probe -> no sampler; probe enabled -> sampling; disabled -> stopped', async () => {
  assert.ok(addonStatus().loaded, addonStatus().error)
  const uninstall = installAllocHook({ alloc__sample: probe })
  await tick()
  assert.is(await samplesDuring(), 0, 'nobody listens: nothing sampled')
  probe.enabled = true
  pollGates(); await tick()
  assert.ok(await samplesDuring() > 10, 'probe enabled: sampling')
  probe.enabled = false
  pollGates(); await tick()
  assert.is(await samplesDuring(), 0, 'probe disabled again: sampler stopped')
  uninstall()
})

test('alloc: one sampler for the listener and the probe; it runs on for the probe after the listener leaves', async () => {
  const uninstall = installAllocHook({ alloc__sample: probe })
  const seen: number[] = []
  const off = allocSampleEvents.subscribe((e) => seen.push(e.bytes)) // what the collector does
  assert.ok(allocSampleEvents.producing, 'the first subscriber started the sampler')
  assert.throws(() => startAllocSampler(), /already running/, 'one sampler per thread')
  probe.enabled = true
  pollGates(); await tick()
  assert.ok(await samplesDuring() > 10 && seen.length > 10, 'events flow from the one sampler')
  off() // the collector stops while a tracer still has the probe enabled
  assert.ok(allocSampleEvents.producing, 'the probe keeps it running')
  assert.ok(await samplesDuring() > 10, 'still sampling for the tracer')
  probe.enabled = false
  pollGates(); await tick()
  assert.not.ok(allocSampleEvents.producing)
  assert.is(await samplesDuring(), 0)
  uninstall()
  assert.not.throws(() => startAllocSampler()(), 'no sampler left running')
  assert.equal(warnings.filter((w) => w.startsWith('SONDE')), [], 'no fault warnings')
})

test('gc: the ring feeds gcEvents once a listener subscribes, and stops after the last', async () => {
  v8.setFlagsFromString('--expose-gc')
  const gc = vm.runInNewContext('gc') as () => void
  const got: GcEvent[] = []
  const off = gcEvents.subscribe((e) => got.push(e))
  const off2 = gcEvents.subscribe(() => {})
  assert.ok(gcEvents.producing)
  gc()
  await sleep(50) // drained on the loop
  off()
  assert.ok(gcEvents.producing, 'a second subscriber keeps the ring')
  off2()
  assert.not.ok(gcEvents.producing)
  const n = got.length
  gc()
  await sleep(50)
  assert.is(got.length, n, 'nothing after the last unsubscribe')
  assert.ok(got.some((e) => (e.kind & 4) !== 0 && e.durationNs > 0 && e.usedBeforeBytes > 0), JSON.stringify(got))
})

test.run()
