// runtime/config.ts: the one SONDE_* table (README's configuration table is checked against it in
// test/layout/readme.test.ts). Checked against the tree (no module outside it reads a SONDE_*
// variable), and by behaviour:
// a bad value is one SONDE_CONFIG warning naming the variable and the value, the default is
// used, and an app preloaded with sonde/register runs on (real child processes).
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { setting, isSet } from '../../runtime/config'

const root = path.resolve(__dirname, '..', '..')
const dist = path.join(root, 'dist')

test('no module outside runtime/config.ts reads a SONDE_* variable', () => {
  const rooms = ['probes', 'runtime', 'collectors', 'bpftrace', 'tracer', 'inspect', 'viz', 'web', 'cli', 'examples']
  const files = ['index.ts', 'register.ts']
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
      if (e.isDirectory()) walk(`${dir}/${e.name}`)
      else if (e.name.endsWith('.ts')) files.push(`${dir}/${e.name}`)
    }
  }
  for (const r of rooms) walk(r)
  // A read: env.SONDE_X or env['SONDE_X'] not being assigned or deleted.
  const READ = /(?<!delete\s+[\w.]*)\benv(?:\.SONDE_\w+\b|\[['"]SONDE_\w+['"]\])(?!\s*=[^=])/g
  const bad = files.filter((f) => f !== 'runtime/config.ts').flatMap((f) => [...fs.readFileSync(path.join(root, f), 'utf8').matchAll(READ)].map((m) => `${f}: ${m[0]}`))
  assert.equal(bad, [])
})

test('a bad value: one warning naming variable and value, then the default', async () => {
  const seen: Error[] = []
  const on = (w: Error) => { if ((w as { code?: string }).code === 'SONDE_CONFIG') seen.push(w) }
  process.on('warning', on)
  try {
    assert.is(setting('SONDE_DASHBOARD', { SONDE_DASHBOARD: '70000' }), undefined)
    assert.is(setting('SONDE_DASHBOARD', { SONDE_DASHBOARD: '70000' }), undefined)
    assert.is(setting('SONDE_DASHBOARD', { SONDE_DASHBOARD: '8123' }), 8123)
    assert.is(setting('SONDE_DASHBOARD', { SONDE_DASHBOARD: '' }), undefined)
    assert.is(setting('SONDE_TRACE_BUFFER_BYTES', { SONDE_TRACE_BUFFER_BYTES: '12k' }), 32 * 1024 * 1024)
    assert.is(setting('SONDE_DYN_MODE', { SONDE_DYN_MODE: 'memfd' }), 'auto')
    assert.is(setting('SONDE_DYN_MODE', { SONDE_DYN_MODE: 'file' }), 'file')
    await new Promise((r) => setImmediate(r))
    assert.equal(seen.map((w) => w.message), [
      'sonde: SONDE_DASHBOARD="70000": expected an integer 0..65535; using the default (off)',
      'sonde: SONDE_TRACE_BUFFER_BYTES="12k": expected an integer 65536..2147483648; using the default (33554432)',
      'sonde: SONDE_DYN_MODE="memfd": expected auto or file; using the default (auto)',
    ])
  } finally { process.off('warning', on) }
})

test('SONDE_TRACE counts as set when empty; other variables do not', () => {
  assert.ok(isSet('SONDE_TRACE', { SONDE_TRACE: '' }))
  assert.is(setting('SONDE_TRACE', { SONDE_TRACE: '' }), '')
  assert.not.ok(isSet('SONDE_TRACE', {}))
  assert.not.ok(isSet('SONDE_TOKEN', { SONDE_TOKEN: '' }))
})

test('sonde/register with bad SONDE_COLLECT and SONDE_DASHBOARD: warnings, default collectors, the app runs', () => {
  const app = `const c = require(${JSON.stringify(path.join(dist, 'collectors', 'index.js'))}).collectors
    console.log('RESULT ' + JSON.stringify({ running: c.running, names: c.set && c.set.config.collectors }))`
  const r = spawnSync(process.execPath, ['-r', path.join(dist, 'register.js'), '-e', app], {
    encoding: 'utf8', timeout: 60_000, env: { ...process.env, SONDE_COLLECT: 'gc,bogus', SONDE_DASHBOARD: 'http', NODE_OPTIONS: '' },
  })
  assert.is(r.status, 0, r.stderr)
  const line = r.stdout.split('\n').find((l) => l.startsWith('RESULT '))
  const defaults = (require('../../collectors/config') as typeof import('../../collectors/config')).parseCollectSpec('').collectors
  assert.equal(JSON.parse(line!.slice(7)), { running: true, names: defaults })
  const warnings = r.stderr.split('\n').filter((l) => l.includes('[SONDE_CONFIG]'))
  assert.is(warnings.length, 2, r.stderr)
  assert.ok(warnings.some((w) => w.includes('SONDE_COLLECT="gc,bogus"') && w.includes('bogus') && w.includes('using the default (default)')), r.stderr)
  assert.ok(warnings.some((w) => w.includes('SONDE_DASHBOARD="http": expected an integer 0..65535; using the default (off)')), r.stderr)
})

test.run()
