// OptionError: its message names options as the API does; renamed() names them as a caller
// does (the CLI's flag table), and text from the input keeps its braces.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createProfile, literal, OptionError } from '../../../viz/model/profile'
import { checkShapeOptions } from '../../../viz/graph/shape-options'
import { selectThreads } from '../../../viz/graph/select-threads'
import { FLAG_OF } from '../../../cli/profile-input'

function caught(fn: () => unknown): OptionError {
  try { fn() } catch (e) { assert.instance(e, OptionError); return e as OptionError }
  throw new Error('did not throw')
}

test('shape options: API names in the message, flags through the CLI table', () => {
  const e = caught(() => checkShapeOptions({ nodeThres: 200 }))
  assert.is(e.message, 'nodeThres must be a percentage 0..100, got 200')
  assert.is(e.renamed(FLAG_OF), '--node-thres must be a percentage 0..100, got 200')
  assert.is(e.renamed({ nodeThres: 'node threshold' }), 'node threshold must be a percentage 0..100, got 200')
  assert.is(caught(() => checkShapeOptions({ edgeBudget: 1.5 })).renamed(FLAG_OF), '--edge-budget must be a whole number ≥ 0, got 1.5')
})

test('input text keeps its braces; no message of viz names a flag', () => {
  const p = createProfile('x{thread}.folded', 'folded', 'samples')
  const e = caught(() => selectThreads(p, 'w{diff}'))
  assert.is(e.message, "thread: no thread or process named 'w{diff}' in x{thread}.folded (have: none; * for all)")
  assert.is(e.renamed(FLAG_OF), "--process: no thread or process named 'w{diff}' in x{thread}.folded (have: none; * for all)")
  assert.is(literal('a{1}'), 'a{{1}}')
  assert.not.match(e.message, /--/)
})

test.run()
