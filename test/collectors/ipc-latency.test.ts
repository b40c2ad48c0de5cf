// child_process IPC latency (process.send ↔ 'message') from the collectors of the receiving
// process, against the latency each handler computes from the send timestamp in the payload.
// Both processes run with -r dist/register.js (SONDE_COLLECT=default). Checks per phase: mean
// within 10 % of the truth, exact counts, every payload received unchanged and no stamp leaking
// into 'message' handlers, sent (known from stamps) = picked up at the end of a phase.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawnSync } from 'node:child_process'
import path from 'node:path'

const root = path.resolve(__dirname, '../..')

test('ipc latency per direction agrees with payload timestamps; handlers receive exactly what was sent', () => {
  const r = spawnSync(process.execPath, ['-r', path.join(root, 'dist/register.js'), path.join(__dirname, 'apps/ipc-latency.js')], {
    env: { ...process.env, SONDE_DIST: path.join(root, 'dist'), SONDE_COLLECT: 'default' }, encoding: 'utf8', timeout: 60_000,
  })
  assert.is(r.status, 0, r.stderr)
  const phases = r.stdout.trim().split('\n').map((l) => JSON.parse(l))
  assert.equal(phases.map((p) => p.phase), ['p2c-idle', 'p2c-blocked', 'c2p-idle'], r.stdout + r.stderr)
  const expectData: Record<string, number> = { 'p2c-idle': 101, 'p2c-blocked': 50, 'c2p-idle': 101 }
  for (const p of phases) {
    const rel = Math.abs(p.metricsMeanNs - p.truthMeanNs) / p.truthMeanNs
    process.stdout.write(`  ${p.phase} (${p.direction}): truth ${(p.truthMeanNs / 1e3).toFixed(1)} µs n=${p.truthN}, collector ${(p.metricsMeanNs / 1e3).toFixed(1)} µs n=${p.metricsCount}, error ${(rel * 100).toFixed(1)} %\n`)
    assert.is(p.bad, 0, `${p.phase}: payloads unchanged, no stamp reached a handler`)
    assert.is(p.data, expectData[p.phase], `${p.phase}: data messages`)
    assert.is(p.metricsCount, p.truthN, `${p.phase}: counts`)
    assert.is(p.sent, p.received, `${p.phase}: in flight 0 at the end`)
    assert.ok(rel <= 0.10, `${p.phase}: relative error ${(rel * 100).toFixed(1)} %`)
  }
  assert.ok(phases[1].truthMeanNs > 5e6, 'blocked receiver: messages waited behind a 20 ms block')
})

test.run()
