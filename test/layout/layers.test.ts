// The rooms of the tree and what each may import (each folder's README says the same in
// words). A relative import that crosses rooms against this table fails here, as does a CLI
// command importing another command, a source file over 300 lines (generated ones aside), or a
// room the table does not know. Imports are read as text: `from '…'`, `import('…')`,
// `require('…')` with a relative specifier.
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'

const root = path.resolve(__dirname, '..', '..')

/** Room → the rooms it may import (besides itself). */
const MAY_IMPORT: Record<string, string[]> = {
  probes: ['runtime/config', 'runtime/thread'],
  runtime: ['probes'],
  collectors: ['runtime', 'probes'],
  bpftrace: ['probes', 'inspect', 'collectors/histogram'],
  tracer: ['probes', 'runtime/config', 'runtime/thread'],
  inspect: ['probes', 'runtime/config'],
  viz: ['tracer/trace-format', 'tracer/source-maps'],
  'web/shared': ['collectors/snapshot', 'collectors/histogram', 'collectors/series-ring'],
  'web/client': ['web/shared', 'collectors/histogram', 'collectors/series-ring'],
  'web/server': ['web/shared', 'probes', 'runtime', 'collectors', 'bpftrace', 'inspect', 'tracer', 'viz'],
  cli: ['probes', 'runtime', 'collectors', 'bpftrace', 'inspect', 'tracer', 'viz', 'web/server', 'examples'],
  examples: ['index', 'register', 'collectors', 'web/server'],
  index: ['probes', 'runtime', 'collectors', 'viz', 'web/server', 'tracer', 'bpftrace', 'inspect'],
  register: ['probes', 'runtime', 'collectors', 'tracer', 'web/server'],
}
const GENERATED = new Set(['probes/static-probes.ts'])
const ROOMS = ['probes', 'runtime', 'collectors', 'bpftrace', 'tracer', 'inspect', 'viz', 'web', 'cli', 'examples']

function roomOf(rel: string): string {
  const parts = rel.replace(/\.(ts|js)$/, '').split('/')
  if (parts.length === 1) return parts[0]
  return parts[0] === 'web' ? `web/${parts[1]}` : parts[0]
}

function sources(): string[] {
  const out: string[] = ['index.ts', 'register.ts']
  const walk = (dir: string): void => {
    for (const e of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
      const rel = `${dir}/${e.name}`
      if (e.isDirectory()) walk(rel)
      else if (/\.ts$/.test(e.name) && !e.name.endsWith('.d.ts')) out.push(rel)
    }
  }
  for (const r of ROOMS) walk(r)
  return out
}

const SPEC = /(?:\bfrom|\bimport\s*\(|\brequire\s*\()\s*['"](\.{1,2}\/[^'"]+)['"]/g

function imports(file: string): string[] {
  const text = fs.readFileSync(path.join(root, file), 'utf8')
  return [...text.matchAll(SPEC)].map((m) => path.posix.normalize(path.posix.join(path.posix.dirname(file), m[1])).replace(/\.(ts|js)$/, '').replace(/\/index$/, ''))
}

function allowed(from: string, target: string): boolean {
  const a = roomOf(from), b = roomOf(target)
  if (a === b) return true
  const may = MAY_IMPORT[a] ?? []
  return may.some((r) => b === r || target === r || target.startsWith(r + '/'))
}

test('every room is in the table', () => {
  for (const f of sources()) assert.ok(roomOf(f) in MAY_IMPORT, `${f}: room ${roomOf(f)} has no entry`)
})

test('no import crosses rooms against the table', () => {
  const bad: string[] = []
  for (const f of sources()) for (const t of imports(f)) if (!allowed(f, t)) bad.push(`${f} imports ${t}`)
  assert.equal(bad, [])
})

test('a CLI command imports no other command', () => {
  const bad: string[] = []
  for (const f of sources().filter((s) => s.startsWith('cli/commands/'))) {
    for (const t of imports(f)) if (t.startsWith('cli/commands/')) bad.push(`${f} imports ${t}`)
  }
  assert.equal(bad, [])
})

test('no source file over 300 lines (generated ones aside)', () => {
  const long = sources().filter((f) => !GENERATED.has(f)).map((f) => [f, fs.readFileSync(path.join(root, f), 'utf8').split('\n').length] as const).filter(([, n]) => n > 301)
  assert.equal(long, [])
})

test('runtime/config.ts, which the lowest rooms read, imports no sonde module', () => {
  assert.equal(imports('runtime/config.ts'), [])
})

test('the table catches a crossing (self-check)', () => {
  assert.not.ok(allowed('collectors/gc.ts', 'web/server/app'))
  assert.not.ok(allowed('viz/render.ts', 'runtime/gc-ring'))
  assert.ok(allowed('collectors/gc.ts', 'runtime/gc-ring'))
})

test.run()
