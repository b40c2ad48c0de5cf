// Golden-file comparison: UPDATE_GOLDEN=1 rewrites, otherwise the file must match exactly.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import * as assert from 'uvu/assert'

export const goldenDir = join(__dirname, '..', '..', 'golden')

export function matchGolden(rel: string, actual: string): void {
  const file = join(goldenDir, rel)
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(file)) {
    if (process.env.UPDATE_GOLDEN !== '1' && process.env.CI) assert.unreachable(`golden ${rel} missing (run with UPDATE_GOLDEN=1)`)
    mkdirSync(dirname(file), { recursive: true })
    writeFileSync(file, actual)
    return
  }
  assert.fixture(actual, readFileSync(file, 'utf8'), `golden ${rel} differs (UPDATE_GOLDEN=1 refreshes)`)
}
