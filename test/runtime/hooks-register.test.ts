// sonde/register as users load it: `-r` (CommonJS), `--import` (ESM), both at once (installed
// once per thread, workers included), and with the native addon missing (the stub: probes
// never enabled, the hooks still feed the event sources).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
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

// An ES module's named import of a builtin is bound to the exports its ES view held when synced:
// the app must get sonde's MessageChannel whether the view was made before register patched
// node:worker_threads (an earlier --import) or after (-r before an ES app).
const FIRST = "import { MessageChannel } from 'node:worker_threads'\nif (typeof MessageChannel !== 'function') process.exit(3)\n"
const APP = `import { MessageChannel } from 'node:worker_threads'
import { createRequire } from 'node:module'
const wt = createRequire(import.meta.url)('node:worker_threads')
process.stdout.write(JSON.stringify({ patched: !String(wt.MessageChannel).includes('[native code]'), esmIsSondes: MessageChannel === wt.MessageChannel }))
`
const ORDERS: [string, boolean][] = [['-r before an ES app', false], ['--import of a module that imported node:worker_threads, then --import register', true]]
for (const [name, importFirst] of ORDERS) {
  test(`${name}: the app's ES import of MessageChannel is the patched one`, () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sonde-esm-'))
    try {
      const first = path.join(dir, 'first.mjs'), app = path.join(dir, 'app.mjs')
      fs.writeFileSync(first, FIRST); fs.writeFileSync(app, APP)
      const preload = importFirst ? ['--import', first, '--import', register] : ['-r', register]
      const r = spawnSync(process.execPath, [...preload, app], { encoding: 'utf8' })
      assert.is(r.status, 0, r.stderr)
      const out = JSON.parse(r.stdout) as { patched: boolean; esmIsSondes: boolean }
      assert.ok(out.patched, 'register replaced node:worker_threads.MessageChannel')
      assert.ok(out.esmIsSondes, 'the ES named import is the replacement')
    } finally { fs.rmSync(dir, { recursive: true, force: true }) }
  })
}

test.run()
