// sonde/register as users load it: `-r` (CommonJS), `--import` (ESM), both at once (installed
// once per thread, workers included), and with the native addon missing (the stub: probes
// never enabled, the hooks still feed the event sources).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { register, runApp } from '../support/run-app'

const ROUNDS = 23

function roundTrips(preload: string[], env: Record<string, string> = {}) {
  const r = runApp('worker-roundtrip.js', { EVENTS: '1', ROUNDS: String(ROUNDS), CHANNEL: 'worker', ...env }, preload)
  assert.is(r.status, 0, r.stderr)
  // one send event per message posted and one receive per message received, in both threads
  assert.is(r.result.main.sends, ROUNDS + 1)
  assert.is(r.result.main.receives, ROUNDS + 1)
  assert.is(r.result.worker.sends, ROUNDS)
  assert.is(r.result.worker.receives, ROUNDS + 1)
  assert.ok(r.result.hops.every((h: any) => h.hookNs > 0))
  return r
}

test('--import <abs>/dist/register.js installs the hooks (main thread and worker)', () => {
  roundTrips(['--import', register])
})

test('-r and --import together: installed once (no doubled events)', () => {
  roundTrips(['-r', register, '--import', register])
})

test('-r twice through different specifiers: installed once', () => {
  roundTrips(['-r', register, '-r', register.replace(/\.js$/, '')])
})

test('addon missing: stub probes, no crash, hooks still feed the event sources', () => {
  const r = roundTrips(['-r', register], { SONDE_ADDON_PATH: '/nonexistent/sonde.node' })
  assert.not.match(r.stderr, /Error/)
})

test.run()
