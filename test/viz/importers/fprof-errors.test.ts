// fprof importer on bad input: not fprof → null; fprof but malformed → ParseError naming
// the file, the line and the reason.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import fs from 'node:fs'
import path from 'node:path'
import { importFromFprof, isFprof } from '../../../viz/importers/fprof'
import { ParseError } from '../../../viz/model/profile'

const dir = path.resolve(__dirname, '../../../test/fixtures/fprof')
const fib = fs.readFileSync(path.join(dir, 'fib.default.analysis'), 'utf8')
const fibLines = fib.split('\n')

function parseError(text: string, file = 'x.analysis'): ParseError {
  try {
    importFromFprof(text, file)
  } catch (e) {
    if (e instanceof ParseError) return e
    throw e
  }
  throw new Error('no ParseError')
}

test('garbage and other formats → null', () => {
  const junk = Buffer.from(Array.from({ length: 512 }, (_, i) => (i * 37 + 11) % 256)).toString('latin1')
  for (const t of ['', '   \n', 'hello world\n', junk, '{"nodes":[],"samples":[]}', 'a;b;c 42\n', '{ok, 1}.\n', 'events: Ir\nfn=main\n']) {
    assert.is(importFromFprof(t, 'g'), null, JSON.stringify(t.slice(0, 20)))
    assert.is(isFprof(t), false)
  }
})

test('truncated in the middle of a term → ParseError on the last line', () => {
  const cut = fib.slice(0, fib.indexOf('{fib,fib,1},', fib.indexOf('5149')) + 5) // ends inside "{fib,"
  const e = parseError(cut, 'fib.analysis')
  assert.is(e.file, 'fib.analysis')
  assert.is(e.line, cut.split('\n').length)
  assert.match(e.reason, /^unexpected end of input/)
  assert.match(e.message, /^fib\.analysis:\d+: unexpected end of input/)
})

test('broken term `{[{fib,fib,1},` then EOF → ParseError naming where the list opened', () => {
  const head = fibLines.slice(0, 17).join('\n') + '\n'
  const e = parseError(head + '{[{fib,fib,1},\n')
  assert.is(e.line, 19)
  assert.is(e.reason, 'unexpected end of input: a term is missing')
  const e2 = parseError(head + '{[{fib,fib,1}\n')
  assert.is(e2.line, 19)
  assert.is(e2.reason, 'unexpected end of input inside a list opened on line 18')
})

test('bad numbers → ParseError on their line', () => {
  const i = fibLines.findIndex((l) => l.startsWith(' { {fib,fib,1},'))
  const bad = [...fibLines]
  bad[i] = bad[i].replace('5149,', '51x9,')
  const e = parseError(bad.join('\n'))
  assert.is(e.line, i + 1)
  assert.is(e.reason, 'bad number "51x9"')
  bad[i] = fibLines[i].replace(/ (\d+\.\d{3})\},/, ' $1.5},')
  assert.is(parseError(bad.join('\n')).reason, 'bad number "10.297.5"')
  bad[i] = fibLines[i].replace('5149,', '5149.5,')
  const e3 = parseError(bad.join('\n'))
  assert.is(e3.reason, 'CNT must be an integer, found 5149.5')
  assert.is(e3.line, i + 1)
})

test('truncated at a term boundary → the sums no longer match the header', () => {
  // Drop everything from the garbage_collect entry on (CNT and OWN: 22 fewer).
  const cut = fib.lastIndexOf('\n{[', fib.indexOf(' { garbage_collect,'))
  const e = parseError(fib.slice(0, cut))
  assert.is(e.line, fibLines.findIndex((l) => l.startsWith('[{ "<0.9.0>"')) + 1)
  assert.is(e.reason, '<0.9.0>: its functions add up to CNT 5191, OWN 10.388 ms but the header says CNT 5213, OWN 10.41 ms (truncated or edited file?)')
})

test('structural errors: entry without header, wrong tuple, second analysis, no totals line', () => {
  assert.is(parseError('%% Analysis results:\n{ {fib,fib,1}, 1, 0.1, 0.1}.\n').reason, 'function entry before any totals or process header')
  assert.is(parseError('%% Analysis results:\n[{ totals, 1, 0.1, 0.1}].\n{a, b}.\n').line, 3)
  assert.match(parseError(fib + fib).reason, /second analysis/)
  assert.match(parseError('%% Analysis results:\n{analysis_options, []}.\n').reason, /no totals line/)
  assert.match(parseError('[{ totals, 1, undefined, x}].\n').reason, /^OWN must be a number/)
})

test.run()
