// The allocation sampler on a known workload: a function that allocates ~50x more than its
// neighbour must be the top allocation site, by events in-process and by bpftrace summing
// sonde:alloc__sample bytes per function in a child. Options are validated at set-up. Under heavy
// allocation the rate cap raises the interval and the bytes estimate stays within 20 % of the
// bytes the workload is known to allocate (arrays of a fixed, measured size).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawn } from 'node:child_process'
import path from 'node:path'
import { startAllocSampler, allocSamplerStats, allocSampleEvents, configureAllocSampler } from '../../runtime/alloc-sampler'
import type { AllocSampleEvent } from '../../runtime/runtime-events'
import { addonStatus } from '../../probes/addon'
import { missing } from '../support/system'
import { startBpftrace, type Bpftrace } from '../support/bpftrace'

const root = path.resolve(__dirname, '../..')

function allocateLots(n: number): number {
  let keep: unknown[] = []
  for (let i = 0; i < n; i++) { keep.push({ i, s: [i, i + 1, i + 2] }); if (keep.length > 1000) keep = [] }
  return keep.length
}
function allocateLittle(n: number): number {
  let k = 0
  for (let i = 0; i < n; i++) k += [i, i].length
  return k
}

/** One JSArray (32 B) with a FixedArray of 256 Smis (16 + 2048 B): 2 096 B on x64 without pointer compression (Node 20). */
const ARRAY_BYTES = 2096
function allocateArrays(n: number): number {
  let keep: unknown[] = []
  for (let i = 0; i < n; i++) { keep.push(new Array(256).fill(i)); if (keep.length > 100) keep = [] }
  return n
}

test('options are validated at set-up', () => {
  assert.throws(() => startAllocSampler({ intervalBytes: 10 }), /intervalBytes/)
  assert.throws(() => startAllocSampler({ pollMs: 0 }), /pollMs/)
  assert.throws(() => startAllocSampler({ maxStack: 1.5 }), /maxStack/)
  assert.throws(() => startAllocSampler({ maxSamplesPerSec: -1 }), /maxSamplesPerSec/)
  assert.throws(() => configureAllocSampler({ intervalBytes: 10 }), /intervalBytes/)
})

test('rate cap: heavy allocation raises the interval, the bytes estimate stays unbiased; 0 keeps the interval fixed', async () => {
  const tick = () => new Promise((r) => setTimeout(r, 1))
  async function run(maxSamplesPerSec: number, ms: number) {
    let est = 0, made = 0, lastMs = 0
    // Every sample counts, not only allocateArrays's: once TurboFan inlines it into run(), V8's
    // sampler attributes its allocations to run() (the physical frame); the workload is > 99 %
    // of what this thread allocates meanwhile.
    configureAllocSampler({ intervalBytes: 16384, pollMs: 50, maxSamplesPerSec })
    const unsub = allocSampleEvents.subscribe((e) => { est += e.bytes })  // starts the sampler
    const t0 = Date.now()
    let mark = -1
    while (Date.now() - t0 < ms) {
      made += allocateArrays(2000)
      // samples/s over the last second, once the cap has had time to act
      if (mark < 0 && Date.now() - t0 >= ms - 1000) { mark = allocSamplerStats().samples; lastMs = Date.now() }
      await tick()
    }
    const interval = allocSamplerStats().intervalBytes
    const lastSamples = allocSamplerStats().samples - mark
    const rate = lastSamples / ((Date.now() - lastMs) / 1000)
    unsub()
    return { est, truth: made * ARRAY_BYTES, interval, rate }
  }
  const capped = await run(100, 3000)
  assert.ok(capped.interval >= 16384 * 4, `interval raised under ~${(capped.truth / 3e6).toFixed(0)} MB/s: ${capped.interval}`)
  assert.ok(capped.rate < 300, `samples/s in the last second ${capped.rate.toFixed(0)} (cap 100)`)
  assert.ok(Math.abs(capped.est / capped.truth - 1) < 0.2, `estimate ${capped.est} vs allocated ${capped.truth}`)
  const fixed = await run(0, 600)
  assert.is(fixed.interval, 16384)
  assert.ok(Math.abs(fixed.est / fixed.truth - 1) < 0.2, `fixed interval: estimate ${fixed.est} vs allocated ${fixed.truth}`)
})

test('the heavy allocator is the top site; stacks are leaf first and bounded', async () => {
  assert.ok(addonStatus().loaded)
  const bytes = new Map<string, number>()
  const events: AllocSampleEvent[] = []
  // A fixed interval (no rate cap): with the cap the interval doubles under this allocation rate,
  // and one lucky sample of the light allocator then weighs a whole multi-MB interval.
  configureAllocSampler({ intervalBytes: 16384, pollMs: 10, maxStack: 5, maxSamplesPerSec: 0 })
  const unsub = allocSampleEvents.subscribe((e) => { events.push(e); bytes.set(e.functionName, (bytes.get(e.functionName) ?? 0) + e.bytes) })
  assert.throws(() => startAllocSampler(), /already running/)
  for (let round = 0; round < 20; round++) {
    allocateLots(50_000)
    allocateLittle(1_000)
    await new Promise((r) => setTimeout(r, 5))
  }
  unsub()
  const ranked = [...bytes].sort((a, b) => b[1] - a[1])
  assert.is(ranked[0][0], 'allocateLots', JSON.stringify(ranked.slice(0, 5)))
  assert.ok(ranked[0][1] > 20 * (bytes.get('allocateLittle') ?? 0), `heavy vs light: ${JSON.stringify(ranked.slice(0, 5))}, interval ${allocSamplerStats().intervalBytes}`)
  const lots = events.find((e) => e.functionName === 'allocateLots')!
  assert.ok(lots.stack!.length >= 1 && lots.stack!.length <= 5)
  assert.match(lots.stack![0], /^allocateLots .*alloc-sampler\.test\.ts:\d+$/)
  assert.ok(lots.url.endsWith('alloc-sampler.test.ts'))
  const st = allocSamplerStats()
  assert.ok(st.samples >= events.length)
  assert.ok(st.samples < 4096 || st.restarts > 0, 'profile restarted once it held 4096 samples')
})

test('bpftrace: summed alloc__sample bytes per function put the heavy allocator on top', async () => {
  const skip = missing('root', 'bpftrace', 'tracefs')
  if (skip) { console.log(`skip: ${skip}`); return }
  const A = addonStatus().path
  const code = `
    const { startAllocSampler } = require(${JSON.stringify(path.join(root, 'dist/runtime/alloc-sampler.js'))})
    require(${JSON.stringify(path.join(root, 'dist/probes/addon.js'))}).nativeAddon()  // map the addon before attaching
    ${allocateLots.toString()}
    ${allocateLittle.toString()}
    process.stdout.write('LOADED\\n')
    process.stdin.on('data', () => {
      const stop = startAllocSampler({ intervalBytes: 16384, pollMs: 10 })
      let round = 0
      const t = setInterval(() => {
        allocateLots(50000); allocateLittle(1000)
        if (++round === 20) { clearInterval(t); stop(); process.stdout.write('DONE\\n') }
      }, 2)
    })`
  const out = await new Promise<string>((resolve, reject) => {
    const c = spawn(process.execPath, ['-e', code], { stdio: ['pipe', 'pipe', 'pipe'] })
    let so = '', err = ''
    let bt: Bpftrace | undefined, stopping = false
    const timer = setTimeout(() => { c.kill('SIGKILL'); void bt?.stop(); reject(new Error(`timeout ${so} ${err} ${bt?.stderr()}`)) }, 60_000)
    c.stdout!.on('data', (d) => {
      so += d
      if (!bt && so.includes('LOADED')) {
        bt = startBpftrace(`usdt:${A}:sonde:alloc__sample { @[str(arg1)] = sum(arg0); }`, { pid: c.pid, args: ['-B', 'none'] })
        bt.ready.then(() => c.stdin!.write('go\n'), (e: Error) => { clearTimeout(timer); c.kill('SIGKILL'); reject(e) })
      }
      if (bt && !stopping && so.includes('DONE')) {
        stopping = true
        setTimeout(() => { void bt!.stop().then((o) => { c.kill(); clearTimeout(timer); resolve(o.text + o.stderr) }) }, 300)
      }
    })
    c.stderr!.on('data', (d) => { err += d })
  })
  const sums = [...out.matchAll(/^@\[(.*)\]: (\d+)$/gm)].map((m) => [m[1], Number(m[2])] as [string, number]).sort((a, b) => b[1] - a[1])
  assert.ok(sums.length > 0, out)
  assert.is(sums[0][0], 'allocateLots', out)
})

test.run()
