// `sonde callgraph` / `sonde flame` error paths through the built CLI: bad input and bad
// options exit 2 with one line; internal failures exit 1 with one line (stack only with
// SONDE_DEBUG).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { asCliError } from '../../cli/profile-input'
import { UsageError } from '../../cli/usage-error'
import { OptionError } from '../../viz/model/profile'

const root = join(__dirname, '..', '..')
const bin = join(root, 'bin', 'sonde.js')
const tmp = mkdtempSync(join(tmpdir(), 'sonde-cg-err-'))

function sonde(args: string[], opts: { input?: Buffer; env?: NodeJS.ProcessEnv } = {}) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: tmp, input: opts.input, env: opts.env ?? process.env, encoding: 'utf8', timeout: 120_000 })
  return { code: r.status, out: r.stdout, err: r.stderr }
}

function oneLine(r: { code: number | null; err: string }, code: number, re: RegExp): void {
  assert.is(r.code, code, r.err)
  const lines = r.err.trimEnd().split('\n')
  assert.is(lines.length, 1, `one line: ${r.err}`)
  assert.match(lines[0], re)
  assert.not.match(r.err, /\n\s+at /, 'no stack trace')
}

/** 300 pseudo-random bytes without a NUL, like `head -c 300 /dev/urandom` that has none. */
function junk(seed: number): Buffer {
  const b = Buffer.alloc(300)
  for (let i = 0; i < b.length; i++) { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; b[i] = 1 + ((seed >>> 8) % 255) }
  return b
}

test('binary junk (no NUL byte): the binary-data line, from a file and from stdin, callgraph and flame', () => {
  writeFileSync(join(tmp, 'junk.bin'), junk(11))
  oneLine(sonde(['callgraph', 'junk.bin']), 2, /^sonde callgraph: junk\.bin:\d+: binary data \((invalid UTF-8|control byte 0x[0-9a-f]{2}) at offset \d+\), not a text profile$/)
  oneLine(sonde(['callgraph', '-'], { input: junk(12) }), 2, /^sonde callgraph: <stdin>:\d+: binary data \(.* at offset \d+\), not a text profile$/)
  oneLine(sonde(['flame', 'junk.bin', '-o', 'f.svg']), 2, /^sonde flame: junk\.bin:\d+: binary data/)
})

test('only option errors become usage errors: a V8 RangeError stays an internal failure', () => {
  let v8: unknown
  try { new Array(-1) } catch (e) { v8 = e }
  assert.instance(v8, RangeError)
  assert.is(asCliError(v8), v8)
  const opt = asCliError(new OptionError('--depth must be a whole number ≥ 0, got -1'))
  assert.instance(opt, UsageError)
  assert.is((opt as Error).message, '--depth must be a whole number ≥ 0, got -1')
})

// Fault injection: an internal bug (V8's RangeError) inside the renderer, through the real
// CLI entry. It must exit 1 with one line, the stack only with SONDE_DEBUG.
const BUGGY = `
const r = require(${JSON.stringify(join(root, 'dist', 'viz', 'render.js'))})
r.renderCallGraph = async () => { new Array(-1) }
require(${JSON.stringify(join(root, 'dist', 'cli', 'main.js'))}).main(['callgraph', ${JSON.stringify(join(root, 'test', 'fixtures', 'stackcollapse', 'recursion.txt'))}])
`

test('internal failure: exit 1, one line, no stack unless SONDE_DEBUG', () => {
  const run = (env: NodeJS.ProcessEnv) => spawnSync(process.execPath, ['-e', BUGGY], { encoding: 'utf8', env, timeout: 60_000 })
  const env = { ...process.env }
  delete env.SONDE_DEBUG
  const plain = run(env)
  oneLine({ code: plain.status, err: plain.stderr }, 1, /^sonde callgraph: Invalid array length$/)
  const dbg = run({ ...env, SONDE_DEBUG: '1' })
  assert.is(dbg.status, 1)
  assert.match(dbg.stderr, /^sonde callgraph: Invalid array length\nRangeError: Invalid array length\n\s+at /)
})

test('option errors from the library still exit 2 with one line (callgraph and flame)', () => {
  const rec = join(root, 'test', 'fixtures', 'stackcollapse', 'recursion.txt')
  oneLine(sonde(['callgraph', rec, '--depth=-1']), 2, /^sonde callgraph: --depth must be a whole number ≥ 0, got -1$/)
  oneLine(sonde(['callgraph', rec, '--metric', 'calls']), 2, /^sonde callgraph: --metric calls: this profile \(samples\) has no call counts$/)
  oneLine(sonde(['flame', rec, '--process', 'nope', '-o', 'x.svg']), 2, /^sonde flame: --process: no thread or process named 'nope'/)
  const noDot = sonde(['callgraph', rec, '-o', 'x.svg', '--system-dot'], { env: { ...process.env, PATH: '/nonexistent' } })
  oneLine(noDot, 2, /^sonde callgraph: --system-dot: no 'dot' on PATH/)
})

test.after(() => rmSync(tmp, { recursive: true, force: true }))
test.run()
