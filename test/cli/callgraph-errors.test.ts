// `sonde callgraph` / `sonde flame` error paths through the built CLI: bad input and bad
// options exit 2 with one line; internal failures exit 1 with one line (stack only with
// SONDE_DEBUG).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

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

test.run()
