// child_process IPC latency (process.send ↔ 'message') from the collectors of the receiving
// process, against the latency each handler computes from the send timestamp in the payload.
// Both processes run with -r dist/register.js (SONDE_COLLECT=default). Checks per phase: exact
// counts; the collector's latency sum is exactly the sum of what the hook measured per message;
// message by message, the hook's interval lies inside the truth's and agrees with it (see the
// KNOWN GAP below); every payload received unchanged and no stamp leaking into 'message'
// handlers; sent (known from stamps) = picked up at the end of a phase.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawnSync } from 'node:child_process'
import path from 'node:path'
import { realtimePrefix } from '../support/system'

const root = path.resolve(__dirname, '../..')

test('ipc latency per direction agrees with payload timestamps; handlers receive exactly what was sent', () => {
  // at real-time priority when root (the forked child inherits it): a process preempted between
  // the payload's stamp and the hook's (or between the hook's pick-up and the handler) adds a
  // time slice to the truth only (25.6 µs of 170 µs once, with callgrind on both cores)
  const [cmd, ...pre] = [...realtimePrefix, process.execPath]
  const r = spawnSync(cmd, [...pre, '-r', path.join(root, 'dist/register.js'), path.join(__dirname, 'apps/ipc-latency.js')], {
    env: { ...process.env, SONDE_DIST: path.join(root, 'dist'), SONDE_COLLECT: 'default' }, encoding: 'utf8', timeout: 60_000,
  })
  assert.is(r.status, 0, r.stderr)
  const phases = r.stdout.trim().split('\n').map((l) => JSON.parse(l))
  assert.equal(phases.map((p) => p.phase), ['p2c-idle', 'p2c-blocked', 'c2p-idle'], r.stdout + r.stderr)
  const expectData: Record<string, number> = { 'p2c-idle': 101, 'p2c-blocked': 50, 'c2p-idle': 101 }
  for (const p of phases) {
    const truth: number[] = p.truthNs, hook: number[] = p.hookNs
    const diff = Math.abs(p.metricsMeanNs - p.truthMeanNs), rel = diff / p.truthMeanNs
    process.stdout.write(`  ${p.phase} (${p.direction}): truth ${(p.truthMeanNs / 1e3).toFixed(1)} µs n=${p.truthN}, collector ${(p.metricsMeanNs / 1e3).toFixed(1)} µs n=${p.metricsCount}, mean error ${(rel * 100).toFixed(1)} %, ${(diff / 1e3).toFixed(1)} µs\n`)
    assert.is(p.bad, 0, `${p.phase}: payloads unchanged, no stamp reached a handler`)
    assert.is(p.data, expectData[p.phase], `${p.phase}: data messages`)
    assert.is(p.metricsCount, p.truthN, `${p.phase}: counts`)
    assert.is(hook.length, truth.length, `${p.phase}: one hook latency per message handled`)
    assert.is(p.sent, p.received, `${p.phase}: in flight 0 at the end`)
    assert.ok(Math.abs(p.metricsSumNs - hook.reduce((s, x) => s + x, 0)) <= 1, `${p.phase}: the collector's sum is the hook's per-message latencies`)
    // The hook reads its send clock inside send(), after the payload's stamp, and its pick-up
    // clock at emit('message'), before the handler's: its interval lies inside the truth's, so
    // no message may read longer than its truth (a stamp paired with the wrong message is off by
    // the 3 ms spacing either way; the clock is CLOCK_MONOTONIC in both processes).
    const gaps = truth.map((t, i) => t - hook[i])
    const inverted = gaps.map((g, i) => [i, g]).filter(([, g]) => g < 0)
    assert.equal(inverted, [], `${p.phase}: hook latency longer than the truth at [message, ns]`)
    // KNOWN GAP (as for worker messages in message-latency.test.ts): the truth is longer than
    // the hook's latency by the code outside the hook's interval: the sender's call into send()
    // after its stamp and, above all, Node's EventEmitter dispatch from emit('message') (the
    // hook's pick-up; a listener of its own would keep the child's channel referenced) to the
    // handler's first statement. Usually 2-12 µs of a 80-300 µs hop (Node 24, load < 1). A
    // pause in that stretch lands in the truth alone: the parent's 35th and 95th messages read
    // 20-240 µs longer in most runs (V8's optimising tiers compiling on those calls: gone under
    // --no-maglev --no-turbofan, not under --no-sparkplug), and a pause of milliseconds there (a
    // preemption, a GC) moves a mean over 102 messages by tens of µs. Pauses the machine imposes
    // land there too: on a loaded 2-vCPU virtual machine running at half its usual speed, 9-14
    // of the 102 messages read 20-60 µs longer, spread over the phase. So the check is per
    // message: ≥ 80 % of them within 10 % of their truth or 20 µs, and the median message as
    // well; the rest are printed. A hook that misses part of every hop, or mispairs, fails it.
    const off = gaps.map((g, i) => [i, g, truth[i]]).filter(([, g, t]) => g > 20_000 && g > 0.1 * t)
    if (off.length) process.stdout.write(`    outside the hook's interval: ${off.slice(0, 12).map(([i, g, t]) => `#${i} +${(g / 1e3).toFixed(1)} µs of ${(t / 1e3).toFixed(1)}`).join(', ')}${off.length > 12 ? ` and ${off.length - 12} more` : ''}\n`)
    assert.ok(off.length <= 0.2 * truth.length, `${p.phase}: ${off.length} of ${truth.length} messages off by > 10 % and > 20 µs`)
    const mid = (xs: number[]) => [...xs].sort((x, y) => x - y)[xs.length >> 1]
    assert.ok(mid(gaps) <= Math.max(20_000, 0.1 * mid(truth)), `${p.phase}: the median message ${(mid(gaps) / 1e3).toFixed(1)} µs outside the hook's interval (truth ${(mid(truth) / 1e3).toFixed(1)} µs)`)
  }
  assert.ok(phases[1].truthMeanNs > 5e6, 'blocked receiver: messages waited behind a 20 ms block')
})

test.run()
