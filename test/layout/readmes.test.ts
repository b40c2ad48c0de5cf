// Each room's README maps its files in a table (`| \`file.ts\` | … |`): every file a table names
// exists in that room, and a room whose README has a table lists every source file in it, so
// a move or a new file cannot leave the map stale.
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'

const root = path.resolve(__dirname, '..', '..')
const ROOMS = ['probes', 'runtime', 'collectors', 'bpftrace', 'tracer', 'inspect', 'viz', 'web', 'cli', 'examples', 'native']

function tableFiles(readme: string): string[] {
  return [...fs.readFileSync(readme, 'utf8').matchAll(/^\| `([^`]+\.(?:ts|js|cc|h|bt|\{h,cc\}))` \|/gm)].map((m) => m[1])
}

function exists(dir: string, name: string): boolean {
  const brace = /^(.*)\.\{h,cc\}$/.exec(name)
  if (brace) return ['h', 'cc'].every((ext) => fs.existsSync(path.join(dir, `${brace[1]}.${ext}`)))
  return fs.existsSync(path.join(dir, name))
}

test('every file a room README names exists there', () => {
  const stale: string[] = []
  for (const room of ROOMS) {
    const readme = path.join(root, room, 'README.md')
    if (!fs.existsSync(readme)) continue
    for (const f of tableFiles(readme)) if (!exists(path.join(root, room), f)) stale.push(`${room}/README.md: ${f}`)
  }
  assert.equal(stale, [])
})

test('collectors/ and bpftrace/ list every source file they hold', () => {
  for (const room of ['collectors', 'bpftrace']) {
    const listed = new Set(tableFiles(path.join(root, room, 'README.md')))
    const here = fs.readdirSync(path.join(root, room)).filter((f) => f.endsWith('.ts'))
    assert.equal(here.filter((f) => !listed.has(f)), [], `${room}/README.md misses files`)
  }
})

test.run()
