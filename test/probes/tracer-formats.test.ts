// The function tracer sees every way Node loads a module, on each supported line: require,
// import, require(esm), import of CommonJS, and TypeScript run by Node's own type stripping
// (.ts entry, .mts, .cts; a typeless package where Node detects the format). Each counted
// function shows exactly the calls the app made (its RESULT line), once (never traced twice),
// at its own file and line; the app prints the same with and without the tracer, and the
// tracer adds nothing to stderr (no DeprecationWarning, no ExperimentalWarning of its own).
// Also: a user's module.register() loader starts Node's module-hooks thread, which runs the
// -r preload too; sonde installs nothing there and still traces the app exactly.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { importFromSondeTrace } from '../../viz/importers/sonde-trace'
import { deriveCallGraph } from '../../viz/callgraph/derive'
import type { CallGraph } from '../../viz/callgraph/call-graph'
import { apps, register } from './run-app'

const dir = path.join(apps, 'tracer-formats')
const preload = path.join(path.dirname(register), 'probes', 'tracer', 'preload.js')
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sonde-formats-'))

/** Where each counted function is defined (file under tracer-formats/, 1-based line). */
const SITES: Record<string, [string, number]> = {
  cjsCounted: ['counted.cjs', 2],
  esmCounted: ['counted.mjs', 1],
  ctsCounted: ['counted.cts', 5],
  mtsCounted: ['counted.mts', 5],
}

interface Run { status: number | null; stdout: string; stderr: string; result: Record<string, unknown> }

function run(entry: string, preloads: string[], env: Record<string, string> = {}): Run {
  const r = spawnSync(process.execPath, [...preloads, entry], {
    cwd: dir, encoding: 'utf8', timeout: 60_000, env: { ...process.env, SONDE_COLLECT: 'none', ...env },
  })
  assert.is(r.status, 0, r.stderr)
  const line = r.stdout.split('\n').find((l) => l.startsWith('RESULT '))
  assert.ok(line, `${entry} printed its RESULT`)
  return { status: r.status, stdout: r.stdout, stderr: r.stderr, result: JSON.parse(line!.slice(7)) }
}

/** The counts an app reported (its other fields describe the run). */
const counts = (result: Record<string, unknown>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(result).filter(([, v]) => typeof v === 'number'))

/** stderr without the pids Node prints in warnings, to compare two runs. */
const normal = (s: string): string => s.replace(/\(node:\d+\)/g, '(node:PID)')

function traced(entry: string, preloads = ['-r', preload]): { run: Run; graph: CallGraph } {
  const out = path.join(tmp, `${entry.replace(/\W/g, '_')}-${preloads.length}.trace`)
  const plain = run(entry, [])
  const r = run(entry, preloads, { SONDE_TRACE: '', SONDE_TRACE_OUT: out })
  assert.equal(counts(r.result), counts(plain.result), 'same counts traced as untraced')
  assert.is(normal(r.stderr), normal(plain.stderr), 'the tracer printed nothing')
  // hooks-probe.mjs calls module.register itself, which Node 26 deprecates (DEP0205) in both runs.
  if (!entry.startsWith('hooks-')) assert.not.match(r.stderr, /DeprecationWarning/)
  return { run: r, graph: deriveCallGraph(importFromSondeTrace(fs.readFileSync(out, 'utf8'), out)!) }
}

/** Every count the app reported is the traced count of that function, at its own file:line. */
function assertCounts(graph: CallGraph, result: Record<string, unknown>, sites: Record<string, [string, number]>): void {
  const names = Object.keys(counts(result))
  assert.ok(names.length >= 2, 'the app reported its counts')
  for (const name of names) {
    const nodes = graph.nodes.filter((n) => n.name === name)
    assert.is(nodes.length, 1, `${name}: one node (traced once)`)
    assert.is(nodes[0].calls, result[name], `${name}: calls`)
    const [file, line] = sites[name] ?? SITES[name]
    assert.is(nodes[0].file, path.join(dir, file), `${name}: file`)
    assert.is(nodes[0].line, line, `${name}: line`)
  }
}

test('CommonJS entry: require of .cjs and .cts, require(esm) of .mjs and .mts', () => {
  const { run: r, graph } = traced('main.cjs')
  assert.equal(r.result, { cjsCounted: 1009, esmCounted: 1013, ctsCounted: 1019, mtsCounted: 1021 })
  assertCounts(graph, r.result, {})
})

test('ES module entry: import of .mjs, .mts, .cjs and .cts', () => {
  const { run: r, graph } = traced('main.mjs')
  assert.equal(r.result, { cjsCounted: 1031, esmCounted: 1033, ctsCounted: 1039, mtsCounted: 1049 })
  assertCounts(graph, r.result, {})
})

test('TypeScript entry run by Node (`node main.ts`): lines of the .ts source', () => {
  const { run: r, graph } = traced('main.ts')
  assert.equal(r.result, { tsCounted: 1000, esmCounted: 1051, mtsCounted: 1061 })
  assertCounts(graph, r.result, { tsCounted: ['main.ts', 7] })
  assert.is(graph.nodes.find((n) => n.name === 'runTs')!.calls, 1)
})

test('TypeScript in a package without "type": Node detects CommonJS or ES syntax', () => {
  const cjs = traced('typeless/detect-cjs.ts')
  assert.equal(cjs.run.result, { tsCounted: 1063, cjsCounted: 1069 })
  assertCounts(cjs.graph, cjs.run.result, { tsCounted: ['typeless/detect-cjs.ts', 6] })
  const esm = traced('typeless/detect-esm.ts')
  assert.equal(esm.run.result, { tsCounted: 1087, mtsCounted: 1091 })
  assertCounts(esm.graph, esm.run.result, { tsCounted: ['typeless/detect-esm.ts', 6] })
})

test("-r sonde/register with the app's own module.register loader: nothing installed in the hooks thread", () => {
  const { run: r, graph } = traced('hooks-probe.mjs', ['-r', register])
  assert.equal(r.result.hooksThread, { internalThread: true, register: false, tracer: false })
  assert.equal(r.result.main, { register: true, tracer: true })
  assertCounts(graph, r.result, {})
  assert.is(r.result.esmCounted, 1093)
  assert.is(r.result.cjsCounted, 1097)
})

test.after(() => fs.rmSync(tmp, { recursive: true, force: true }))
test.run()
