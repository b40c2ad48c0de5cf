// What `-r sonde/register` loads before the app's first line (scripts/build-startup.js): sonde's
// start-up is two JavaScript files, the register shim and the bundle, plus the addon (mapped with
// process.dlopen); and every other way into sonde in that process (`require('sonde')`, a module
// outside the bundle that is required later) reaches the same instances, so the app reads the
// collectors register started. The truth is Node's own module table (require.cache), the
// process's mappings, and a forced full GC the collectors must have counted, read through
// prom-client's registry (collectors/prometheus.js, not bundled).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawnSync } from 'node:child_process'
import path from 'node:path'

const root = path.resolve(__dirname, '../..')
const dist = path.join(root, 'dist')

const PROGRAM = `
const path = require('node:path')
const root = ${JSON.stringify(root)}
const atStart = Object.keys(require.cache).filter((f) => f.startsWith(root + path.sep)).map((f) => path.relative(root, f))
// The addon is loaded with process.dlopen (no require.cache entry): mapped into the process.
const addonMapped = require('node:fs').readFileSync('/proc/self/maps', 'utf8').split(String.fromCharCode(10)).some((l) => l.endsWith('.node') && l.includes('/sonde.'))
const sonde = require(${JSON.stringify(path.join(dist, 'index.js'))})
global.gc()
// The GC reaches the collector through the addon's ring, drained on a later turn of the loop.
const deadline = Date.now() + 10000
const poll = () => sonde.collectors.metrics().then((text) => {
  const m = /^sonde_gc_duration_seconds_count\\{kind="mark_sweep_compact"\\} (\\S+)$/m.exec(text)
  if (!m && Date.now() < deadline) return setTimeout(poll, 20)
  process.stdout.write(JSON.stringify({ atStart, addonMapped, running: sonde.collectors.running, fullGcs: m ? Number(m[1]) : -1 }) + '\\n')
})
poll()
`

test('start-up loads the register shim, the bundle and the addon; require(\'sonde\') reads what register started', () => {
  const r = spawnSync(process.execPath, ['--expose-gc', '-r', path.join(dist, 'register.js'), '-e', PROGRAM], { encoding: 'utf8', env: { ...process.env, SONDE_COLLECT: 'default' } })
  assert.is(r.status, 0, r.stderr)
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { atStart: string[]; addonMapped: boolean; running: boolean; fullGcs: number }
  const js = out.atStart.filter((f) => f.endsWith('.js')).sort()
  assert.equal(js, ['dist/register.js', 'dist/startup.js'], `JavaScript files loaded at start-up: ${out.atStart.join(', ')}`)
  assert.ok(out.addonMapped, 'the addon is loaded before the first line')
  assert.ok(out.running, 'require(\'sonde\').collectors is the instance register started')
  assert.ok(out.fullGcs >= 1, `the forced mark-sweep counted by register's GC collector, read through the unbundled prom-client registry: ${out.fullGcs}`)
})

test.run()
