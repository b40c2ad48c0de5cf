// Source maps through the CLI, on real CPU profiles of a minified esbuild bundle: with the
// map linked by sourceMappingURL, inline, next to the script without a comment, and in a
// --source-maps DIR, the call graph names each function as the TypeScript does, at the
// file:line where the source declares it; --no-source-maps keeps the bundle's names.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { bundleAndProfile, FUNCTIONS, truth, type BundledProfile } from '../support/bundled-profile'

const root = path.join(__dirname, '..', '..')
const bin = path.join(root, 'bin', 'sonde.js')
const tmp = fs.mkdtempSync(path.join(tmpdir(), 'sonde-cg-maps-'))
const want = truth()

interface Node { name: string; file?: string; line?: number; self: number; total: number }

function graph(args: string[]): Node[] {
  const r = spawnSync(process.execPath, [bin, 'callgraph', ...args, '--output', 'json', '-n', '0', '-e', '0', '--budget', '0'], { encoding: 'utf8', timeout: 120_000 })
  assert.is(r.status, 0, r.stderr)
  return (JSON.parse(r.stdout) as { nodes: Node[] }).nodes
}

function assertOriginal(nodes: Node[], what: string): void {
  assert.is(want.size, FUNCTIONS.length, 'every function found in the TypeScript source')
  for (const [name, at] of want) {
    const n = nodes.filter((x) => x.name === name)
    assert.is(n.length, 1, `${what}: one node named ${name} (have: ${nodes.map((x) => x.name).join(', ')})`)
    assert.is(path.basename(n[0].file ?? ''), at.file, `${what}: ${name}'s file`)
    assert.is(n[0].line, at.line, `${what}: ${name}'s line`)
  }
}

const runs: Record<string, BundledProfile> = {}
test.before(() => {
  runs.linked = bundleAndProfile(path.join(tmp, 'linked'), 'linked')
  runs.inline = bundleAndProfile(path.join(tmp, 'inline'), 'inline')
  runs.external = bundleAndProfile(path.join(tmp, 'external'), 'external')
})

test('sourceMappingURL to a .map next to the script: original names and file.ts:line', () => {
  assert.match(fs.readFileSync(runs.linked.script, 'utf8'), /\/\/# sourceMappingURL=app\.js\.map\s*$/)
  assertOriginal(graph([runs.linked.profile]), 'linked')
})

test('inline data: map', () => {
  assert.match(fs.readFileSync(runs.inline.script, 'utf8'), /sourceMappingURL=data:application\/json;base64,/)
  assertOriginal(graph([runs.inline.profile]), 'inline')
})

test('no comment: <script>.map next to the script, then --source-maps DIR once it is moved away', () => {
  assert.not.match(fs.readFileSync(runs.external.script, 'utf8'), /sourceMappingURL/)
  assertOriginal(graph([runs.external.profile]), 'external, .map next to the script')
  const maps = path.join(tmp, 'maps')
  fs.mkdirSync(maps)
  fs.renameSync(runs.external.script + '.map', path.join(maps, 'app.js.map'))
  const bundled = graph([runs.external.profile])
  assert.not.ok(bundled.some((n) => n.name === 'heavyLoop'), 'no map found: generated names')
  assertOriginal(graph([runs.external.profile, '--source-maps', maps]), '--source-maps DIR')
})

test('--no-source-maps: the bundle\'s minified names and app.js positions', () => {
  const nodes = graph([runs.linked.profile, '--no-source-maps'])
  for (const name of FUNCTIONS) assert.not.ok(nodes.some((n) => n.name === name), `${name} is not named in the minified bundle`)
  const inBundle = nodes.filter((n) => (n.file ?? '').endsWith('/app.js') && n.name !== '(anonymous)')
  assert.ok(inBundle.length >= FUNCTIONS.length, 'the bundle\'s functions are there')
  assert.ok(inBundle.every((n) => n.line === 1 && n.name.length <= 2), 'minified names, all on line 1: ' + inBundle.map((n) => `${n.name}:${n.line}`).join(' '))
  // Mapping renames and moves frames but keeps every figure: the whole is the same.
  const sum = (ns: Node[]) => ns.reduce((s, n) => s + n.self, 0)
  assert.is(sum(graph([runs.linked.profile])), sum(nodes))
})

test('heapprofile: frames at the bundle\'s function starts (taken from its CPU profile) are mapped the same way', () => {
  type CallFrame = { functionName: string; url: string; lineNumber: number; columnNumber: number }
  const cpu = JSON.parse(fs.readFileSync(runs.linked.profile, 'utf8')) as { nodes: { callFrame: CallFrame }[] }
  const frames = cpu.nodes.map((n) => n.callFrame).filter((cf) => cf.url.endsWith('/app.js') && cf.functionName)
  const children = frames.map((callFrame, i) => ({ callFrame, selfSize: 1000 * (i + 1), id: i + 2, children: [] }))
  const heap = { head: { callFrame: { functionName: '(root)', url: '', lineNumber: -1, columnNumber: -1 }, selfSize: 0, id: 1, children }, samples: [] }
  const file = path.join(tmp, 'linked', 'bundle.heapprofile')
  fs.writeFileSync(file, JSON.stringify(heap))
  const nodes = graph([file])
  for (const name of FUNCTIONS) assert.ok(nodes.some((n) => n.name === name && n.line === want.get(name)!.line), `${name} in ${nodes.map((n) => n.name).join(', ')}`)
})

test('flame: the same original names and file.ts:line in the tooltips; bad --source-maps is a usage error', () => {
  const svg = path.join(tmp, 'f.svg')
  const r = spawnSync(process.execPath, [bin, 'flame', runs.inline.profile, '-o', svg], { encoding: 'utf8', timeout: 120_000 })
  assert.is(r.status, 0, r.stderr)
  const text = fs.readFileSync(svg, 'utf8')
  for (const [name, at] of want) assert.match(text, new RegExp(`<title>${name}\\n[^\\n]*${at.file.replace('.', '\\.')}:${at.line}\\n`))
  const bad = spawnSync(process.execPath, [bin, 'flame', runs.inline.profile, '-o', svg, '--source-maps', path.join(tmp, 'nope')], { encoding: 'utf8' })
  assert.is(bad.status, 2)
  assert.match(bad.stderr, /^sonde flame: --source-maps: .*nope is not a directory\n$/)
})

test.after(() => fs.rmSync(tmp, { recursive: true, force: true }))
test.run()
