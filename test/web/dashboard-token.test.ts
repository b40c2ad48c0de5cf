// Where the dashboard token comes from: the option, SONDE_TOKEN_FILE, SONDE_TOKEN (in that
// order); the minimum length (an 8-character token is refused, in the library and as CLI exit 2
// with one line); a random 256-bit token generated when none is given for a dashboard that can
// start programs (app mode, root, bpftrace on PATH), printed once by the CLI; a token the user
// gave is never printed.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { missing } from '../support/system'
import { root } from './support/demo-child'
import { chooseToken, MIN_TOKEN_LENGTH } from '../../web/server/dashboard-token'
import { DashboardConfigError, startDashboard } from '../../web/server'

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sonde-token-'))
const file = path.join(tmp, 'token')
const GOOD = 'file-token-0123456789abcd'
fs.writeFileSync(file, `${GOOD}\n`, { mode: 0o600 })

function refused(fn: () => unknown, re: RegExp): void {
  try { fn(); assert.unreachable('accepted') } catch (e) {
    assert.instance(e, DashboardConfigError, String(e))
    assert.match((e as Error).message, re)
  }
}

test('option, then SONDE_TOKEN_FILE (trailing newline dropped), then SONDE_TOKEN; nothing when not required', () => {
  assert.equal(chooseToken('option-token-0123456789', { SONDE_TOKEN_FILE: file, SONDE_TOKEN: 'env-token-0123456789ab' }, false), { token: 'option-token-0123456789', source: 'option' })
  assert.equal(chooseToken(undefined, { SONDE_TOKEN_FILE: file, SONDE_TOKEN: 'env-token-0123456789ab' }, false), { token: GOOD, source: 'SONDE_TOKEN_FILE' })
  assert.equal(chooseToken(undefined, { SONDE_TOKEN: 'env-token-0123456789ab' }, false), { token: 'env-token-0123456789ab', source: 'SONDE_TOKEN' })
  assert.equal(chooseToken(undefined, {}, false), { source: 'none' })
  const a = chooseToken(undefined, {}, true), b = chooseToken(undefined, {}, true)
  assert.is(a.source, 'generated')
  assert.match(a.token!, /^[A-Za-z0-9_-]{43}$/)
  assert.is.not(a.token, b.token)
})

test(`at least ${MIN_TOKEN_LENGTH} characters, wherever the token comes from`, () => {
  assert.is(MIN_TOKEN_LENGTH, 20)
  refused(() => chooseToken('12345678', {}, false), /^--token must be 20\.\.256 printable ASCII characters without spaces, got 8 characters$/)
  refused(() => chooseToken(undefined, { SONDE_TOKEN: 'short-token' }, false), /^SONDE_TOKEN must be 20\.\.256/)
  fs.writeFileSync(path.join(tmp, 'short'), 'abc\n')
  refused(() => chooseToken(undefined, { SONDE_TOKEN_FILE: path.join(tmp, 'short') }, false), /^the token in SONDE_TOKEN_FILE .*short must be 20\.\.256/)
  refused(() => chooseToken(undefined, { SONDE_TOKEN_FILE: path.join(tmp, 'none') }, false), /^SONDE_TOKEN_FILE .*none: cannot read it \(ENOENT\)$/)
  refused(() => chooseToken('has a space in it 0123456789', {}, false), /^--token must be/)
})

test('CLI: --token-file works and is never echoed; an 8-character --token is exit 2 with one line', () => {
  const sonde = (args: string[], env: NodeJS.ProcessEnv = {}) => spawnSync(process.execPath, [path.join(root, 'bin/sonde.js'), 'dashboard', '--port', '0', '--duration', '0.3', ...args], { encoding: 'utf8', timeout: 20_000, env: { ...process.env, SONDE_TOKEN: '', SONDE_TOKEN_FILE: '', ...env } })
  const f = sonde(['--token-file', file])
  assert.is(f.status, 0, f.stderr)
  assert.match(f.stdout, /^sonde dashboard: http:\/\/127\.0\.0\.1:\d+\/#token=<your token> \(pid \d+\)\n/)
  assert.not.match(f.stdout + f.stderr, new RegExp(GOOD))
  const e = sonde([], { SONDE_TOKEN_FILE: file })
  assert.is(e.status, 0, e.stderr)
  assert.match(e.stdout, /#token=<your token>/)
  const short = sonde(['--token', '12345678'])
  assert.is(short.status, 2)
  assert.is(short.stderr, 'sonde dashboard: --token must be 20..256 printable ASCII characters without spaces, got 8 characters\n')
  const open = sonde([])
  assert.is(open.status, 0, open.stderr)
  assert.not.match(open.stdout, /#token/, 'a loopback standalone dashboard starts nothing: no token required')
})

test('a dashboard that can start programs (bpftrace panel) gets a generated token', async () => {
  const skip = missing('root', 'bpftrace')
  if (skip) { console.log(`skip: ${skip}`); return }
  const d = await startDashboard({ port: 0, mode: 'app', register: false, env: {} })
  try {
    assert.is(d.tokenSource, 'generated')
    assert.is((await fetch(`${d.url}api/bpftrace/stop`, { method: 'POST' })).status, 401)
    assert.is((await fetch(`${d.url}api/bpftrace`, { headers: { authorization: `Bearer ${d.token}` } })).status, 200)
  } finally { await d.close() }
  const given = await startDashboard({ port: 0, mode: 'app', register: false, env: { SONDE_TOKEN_FILE: file } })
  try { assert.equal([given.tokenSource, given.token], ['SONDE_TOKEN_FILE', GOOD]) } finally { await given.close() }
})

test.after(() => { fs.rmSync(tmp, { recursive: true, force: true }) })

test.run()
