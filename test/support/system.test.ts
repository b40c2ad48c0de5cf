import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { missing } from './system'

test('system gate reports a reason or null', () => {
  const r = missing('readelf')
  assert.ok(r === null || /readelf/.test(r))
})
test.run()
