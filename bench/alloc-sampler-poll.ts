// What the allocation sampler's 250 ms poll costs, restarting the profiler at every poll (the
// default: each poll copies only the samples since the last one) vs the old behaviour (the
// profile keeps growing up to the native cap of 4096 samples and every poll copies all of it),
// in one process under a steady allocating workload, with an allocSampleEvents listener (as the
// allocation collector has). Each phase runs `seconds`; phases alternate; reported: mean µs per
// poll, poll ms per second of run time, samples per poll and the workload's iterations per
// second relative to a phase without sampler. With `itersPerMs` the workload is throttled to
// that many ~1 KB iterations per millisecond (a server's steady allocation rate: then the poll's
// cost is what matters, throughput is idle-bound); without it, as fast as it goes.
// Run: taskset -c 0 node --import tsx bench/alloc-sampler-poll.ts [seconds=8] [intervalBytes=524288] [pairs=2] [itersPerMs]
import { startAllocSampler, allocSamplerStats, allocSampleEvents } from '../runtime/alloc-sampler'

const seconds = Number(process.argv[2] ?? 8), intervalBytes = Number(process.argv[3] ?? 524288), pairs = Number(process.argv[4] ?? 2)
const itersPerMs = Number(process.argv[5] ?? 0)

/** ~1 KB of short-lived objects per iteration, like a small request handler. */
function work(): number {
  const rows: { id: number; name: string; tags: number[] }[] = []
  for (let i = 0; i < 12; i++) rows.push({ id: i, name: 'row' + i, tags: [i, i + 1] })
  return JSON.stringify(rows).length
}

async function phase(mode: 'restart' | 'keep' | 'off'): Promise<{ itersPerSec: number; polls: number; usPerPoll: number; pollMsPerSec: number; samplesPerPoll: number }> {
  const before = allocSamplerStats()
  const stop = mode === 'off' ? () => {} : startAllocSampler({ intervalBytes, restartEachPoll: mode === 'restart' })
  const end = Date.now() + seconds * 1000
  let iters = 0, sink = 0
  const t0 = process.hrtime.bigint()
  const t0ms = Date.now()
  while (Date.now() < end) {
    const n = itersPerMs > 0 ? Math.max(0, Math.round((Date.now() - t0ms) * itersPerMs) - iters) : 2000
    for (let i = 0; i < n; i++) sink += work()
    iters += n
    if (itersPerMs > 0) await new Promise((r) => setTimeout(r, 1))
    else await new Promise((r) => setImmediate(r))  // let the poll timer run
  }
  const wallS = Number(process.hrtime.bigint() - t0) / 1e9
  stop()
  const after = allocSamplerStats()
  const polls = after.polls - before.polls
  if (sink < 0) process.stdout.write('')
  return {
    itersPerSec: Math.round(iters / wallS), polls,
    usPerPoll: polls ? +((after.pollNs - before.pollNs) / polls / 1e3).toFixed(1) : 0,
    pollMsPerSec: +((after.pollNs - before.pollNs) / 1e6 / wallS).toFixed(3),
    samplesPerPoll: polls ? +((after.samples - before.samples) / polls).toFixed(1) : 0,
  }
}

async function main(): Promise<void> {
  const unsub = allocSampleEvents.subscribe(() => {})
  await phase('off')  // warm-up
  const runs: Record<string, Awaited<ReturnType<typeof phase>>[]> = { off: [], restart: [], keep: [] }
  for (let p = 0; p < pairs; p++) {
    for (const m of (p % 2 ? ['keep', 'restart', 'off'] : ['off', 'restart', 'keep']) as ('restart' | 'keep' | 'off')[]) runs[m].push(await phase(m))
  }
  unsub()
  const off = runs.off.reduce((a, r) => a + r.itersPerSec, 0) / runs.off.length
  process.stdout.write(JSON.stringify({
    bench: 'alloc-sampler-poll', seconds, intervalBytes, pairs, itersPerMs,
    throughputVsOff: Object.fromEntries(['restart', 'keep'].map((m) => [m, +(runs[m].reduce((a, r) => a + r.itersPerSec, 0) / runs[m].length / off).toFixed(3)])),
    runs,
  }) + '\n')
}
main().catch((e) => { process.stderr.write(String(e?.stack ?? e) + '\n'); process.exit(1) })
