// child_process IPC latency (process.send ↔ 'message') from the collectors of the receiving
// process, against the latency each handler computes from the send timestamp in the payload.
// Both processes run with -r dist/register.js (SONDE_COLLECT=default). Checks per phase: mean
// within 10 % of the truth (idle phases: or within 20 µs, see KNOWN GAP below), exact counts, every payload received unchanged and no stamp leaking
// into 'message' handlers, sent (known from stamps) = picked up at the end of a phase.
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
    const diff = Math.abs(p.metricsMeanNs - p.truthMeanNs), rel = diff / p.truthMeanNs
    process.stdout.write(`  ${p.phase} (${p.direction}): truth ${(p.truthMeanNs / 1e3).toFixed(1)} µs n=${p.truthN}, collector ${(p.metricsMeanNs / 1e3).toFixed(1)} µs n=${p.metricsCount}, error ${(rel * 100).toFixed(1)} %, ${(diff / 1e3).toFixed(1)} µs\n`)
    assert.is(p.bad, 0, `${p.phase}: payloads unchanged, no stamp reached a handler`)
    assert.is(p.data, expectData[p.phase], `${p.phase}: data messages`)
    assert.is(p.metricsCount, p.truthN, `${p.phase}: counts`)
    assert.is(p.sent, p.received, `${p.phase}: in flight 0 at the end`)
    // KNOWN GAP (as for worker messages in message-latency.test.ts): for an idle receiver the
    // hook's latency is shorter than the payload truth by a few µs of cold code outside the
    // hook's interval: the sender's call into send() after its stamp, and above all Node's
    // EventEmitter dispatch from emit('message') (the hook's pick-up stamp; a listener of its
    // own would keep the child's channel referenced) to the handler's first statement. Measured
    // with the truth stamped as tightly as the fixture can and the hook's send clock read before
    // its checks: 4.5-9.6 µs of a 112-237 µs hop (3.6-4.7 %, 6 runs at load < 1; with the checks
    // first 5.4-10.2 µs, 4.5-6.3 %); a clean-clone CI run with the earlier fixture had 8.9 µs of
    // a 70.9 µs hop (12.4 %).
    // Idle phases therefore accept ≤ 10 % or ≤ 20 µs; a mispaired stamp is off by the 3 ms
    // spacing, and the blocked phase, where queueing dominates, must meet 10 %.
    if (p.phase.endsWith('-idle')) assert.ok(rel <= 0.10 || diff <= 20_000, `${p.phase}: relative error ${(rel * 100).toFixed(1)} %, ${(diff / 1e3).toFixed(1)} µs`)
    else assert.ok(rel <= 0.10, `${p.phase}: relative error ${(rel * 100).toFixed(1)} %`)
  }
  assert.ok(phases[1].truthMeanNs > 5e6, 'blocked receiver: messages waited behind a 20 ms block')
})

test.run()
