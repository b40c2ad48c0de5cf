// `sonde callgraph --output txt`: the TOTALS line's CNT is the input's total call count where
// it has counts (fprof: the totals line of the analysis file itself, read here with a regex
// as the independent oracle), '-' where it has none, and the header says which.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const root = join(__dirname, '..', '..')
const bin = join(root, 'bin', 'sonde.js')
const fprofDir = join(root, 'test', 'fixtures', 'fprof')

function txt(args: string[]): string {
  const r = spawnSync(process.execPath, [bin, 'callgraph', ...args, '--output', 'txt'], { encoding: 'utf8', timeout: 120_000 })
  assert.is(r.status, 0, r.stderr)
  return r.stdout
}

const totalsCnt = (table: string) => /^TOTALS\s+(\S+)/m.exec(table)?.[1]

test('fprof: TOTALS CNT = the analysis file\'s totals CNT, for every analyse variant', () => {
  const files = readdirSync(fprofDir).filter((f) => f.endsWith('.analysis'))
  assert.ok(files.length >= 5, `fixtures: ${files.join(' ')}`)
  for (const f of files) {
    const text = readFileSync(join(fprofDir, f), 'utf8')
    const m = /\[\{\s*totals,\s*(\d+),/.exec(text)
    assert.ok(m, `${f}: no totals line`)
    const table = txt([join(fprofDir, f)])
    assert.is(Number(totalsCnt(table)!.replace(/\D/g, '')), Number(m![1]), f)
    assert.match(table, /TOTALS CNT = all calls/)
    assert.not.match(/^TOTALS.*$/m.exec(table)![0], /0\.00 ns/, `${f}: TOTALS OWN is the file's, not 0`)
    assert.not.match(table, /no call counts/)
  }
})

test('no counts in the input: TOTALS CNT is "-" and the header says so', () => {
  const table = txt([join(root, 'test', 'fixtures', 'stackcollapse', 'recursion.txt')])
  assert.is(totalsCnt(table), '-')
  assert.match(table, /CNT '-': this input has no call counts/)
})

test('wide values keep a space between the columns (800,114 samples)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sonde-txt-'))
  try {
    const f = join(dir, 'wide.folded')
    writeFileSync(f, 'main;a 800000\nmain 114\n')
    const table = txt([f])
    assert.match(table, /^TOTALS\s+- 800,114 samples 800,114 samples$/m)
    assert.match(table, /^\* main\s+- 800,114 samples\s+114 samples\s+100\.0 % \/ 0\.01 %$/m)
  } finally { rmSync(dir, { recursive: true, force: true }) }
})

test.run()
