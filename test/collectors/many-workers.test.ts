// Real process: 10 worker threads × 100 000 parent→worker messages (+1 'end' each). Every
// worker-side pick-up is forwarded to the main registry (exact counts), channels stay bounded,
// and main-thread heap after a full GC does not grow between 50 % and 100 % of the run (a leak of
// even 4 bytes a message would show as 2 MB there).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawnSync } from 'node:child_process'
import path from 'node:path'

const root = path.resolve(__dirname, '../..')

test('10 workers × 100 k messages: exact counts in the main registry, bounded memory', () => {
  const r = spawnSync(process.execPath, ['--expose-gc', '-r', path.join(root, 'dist/register.js'), path.join(__dirname, 'apps/many-workers.js')], {
    env: { ...process.env, SONDE_DIST: path.join(root, 'dist'), SONDE_COLLECT: 'messages' }, encoding: 'utf8', timeout: 180_000,
  })
  assert.is(r.status, 0, r.stderr)
  const o = JSON.parse(r.stdout.trim())
  process.stdout.write(`  heap after GC: ${(o.mid / 1e6).toFixed(2)} MB at 50 %, ${(o.end / 1e6).toFixed(2)} MB at 100 %; channels ${o.channels}\n`)
  assert.equal(o.counts, Array(10).fill(100_001))
  assert.is(o.sent, 1_000_010)
  assert.is(o.received, 1_000_010)
  assert.is(o.channels, 20) // 10 workers × 2 directions
  assert.ok(o.end < o.mid + 2e6, `heap grew from ${o.mid} to ${o.end}`)
})

test.run()
