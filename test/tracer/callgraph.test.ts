// The function tracer on a program with known calls, in real node processes (CommonJS,
// ES module, and a worker thread): exact CNT through the importer and the call graph,
// every frame closed after throws, OWN summing to the total, ACC monotone on the spine,
// and an async function's `suspend` matching the timer it awaited (measured by the app).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { importFromSondeTrace } from '../../viz/importers/sonde-trace'
import { deriveCallGraph } from '../../viz/graph/derive'
import type { CallGraph } from '../../viz/model/call-graph'
import type { Profile } from '../../viz/model/profile'

const root = path.resolve(__dirname, '..', '..')
const app = path.join(root, 'test', 'fixtures', 'apps', 'tracer-known')
const preload = path.join(root, 'dist', 'tracer', 'preload.js')
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sonde-tracer-'))

interface AppResult { fib: number; helper: number; caught: number; double: number; waitedMs: number; mainMs: number; outerMs: number; workerFib?: number }

function runTraced(script: string, env: Record<string, string> = {}): { out: AppResult; profile: Profile } {
  const trace = path.join(tmp, `${path.basename(script)}-${Object.keys(env).join('-')}.trace`)
  const r = spawnSync(process.execPath, ['-r', preload, script], {
    cwd: app, encoding: 'utf8', timeout: 60_000,
    env: { ...process.env, SONDE_TRACE: '', SONDE_TRACE_OUT: trace, ...env },
  })
  assert.is(r.status, 0, r.stderr)
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as AppResult
  return { out, profile: importFromSondeTrace(fs.readFileSync(trace, 'utf8'), trace)! }
}

const byName = (g: CallGraph, name: string, file = 'app') =>
  g.nodes.filter((n) => n.name === name && (n.file ?? '').includes(file))
const one = (g: CallGraph, name: string) => {
  const found = byName(g, name)
  assert.is(found.length, 1, `one node named ${name}`)
  return found[0]
}
const edge = (g: CallGraph, from: string, to: string) =>
  g.edges.find((e) => g.nodes[e.caller].name === from && g.nodes[e.callee].name === to)

function checkKnownProgram(g: CallGraph, out: AppResult): void {
  assert.is(out.fib, 6765)
  assert.is(one(g, 'fib').calls, 21891)
  assert.is(one(g, 'helper').calls, 1000)
  for (const f of ['outer', 'middle', 'thrower', 'afterThrow']) assert.is(one(g, f).calls, 7, f)
  assert.is(one(g, 'waiter').calls, 1)
  assert.is(one(g, 'main').calls, 1)
  for (const f of ['Box.constructor', 'get Box.double', 'set Box.value']) assert.is(one(g, f).calls, 1, f)
  // Every frame the throws unwound is closed: afterThrow runs under main, never under them.
  assert.is(edge(g, 'main', 'afterThrow')?.calls, 7)
  assert.is(edge(g, 'outer', 'middle')?.calls, 7)
  assert.is(edge(g, 'middle', 'thrower')?.calls, 7)
  for (const f of ['outer', 'middle', 'thrower']) assert.not.ok(edge(g, f, 'afterThrow'), `${f} -> afterThrow`)
  assert.is(edge(g, 'fib', 'fib')?.calls, 21890)
  // OWN of all functions sums to the total; ACC(caller) >= ACC(callee) on the spine.
  const own = g.nodes.reduce((s, n) => s + n.self, 0)
  assert.ok(Math.abs(own - g.total) < 1, `own ${own} total ${g.total}`)
  const main = one(g, 'main'), waiter = one(g, 'waiter'), fib = one(g, 'fib'), outer = one(g, 'outer')
  assert.ok(main.total >= waiter.total && main.total >= fib.total && main.total >= outer.total)
  assert.ok(outer.total >= one(g, 'middle').total && one(g, 'middle').total >= one(g, 'thrower').total)
  // main's ACC is its wall time: at least the span the app measured inside main, at most the
  // span measured around the call (0.5 ms for the clock reads of entry/return themselves).
  const mainMs = main.total / 1e6
  assert.ok(mainMs >= out.mainMs - 0.5 && mainMs <= out.outerMs + 0.5, `main ACC ${mainMs} ms vs app inside ${out.mainMs} ms, around ${out.outerMs} ms`)
  // The async function: ~50 ms `suspend`, OWN only while on the stack.
  const sus = edge(g, 'waiter', 'suspend')
  assert.ok(sus, 'waiter -> suspend')
  const susMs = sus!.weight / 1e6
  assert.ok(susMs >= 45 && susMs <= 80, `suspend ${susMs} ms`)
  // The app measured waiter's whole span, i.e. its ACC: suspend + OWN + its callees (the
  // Promise executor). Under load a callee can be descheduled for ms, which is the callee's
  // time, not suspend: so the app's figure is compared with ACC, the timer with suspend.
  assert.ok(Math.abs(waiter.total / 1e6 - out.waitedMs) < 3, `waiter ACC ${waiter.total / 1e6} ms vs app-measured ${out.waitedMs} ms`)
  assert.is(sus!.calls, 1)
  assert.ok(waiter.self / 1e6 < 10, `waiter OWN ${waiter.self / 1e6} ms excludes the wait`)
  assert.ok(waiter.total >= sus!.weight)
}

test('CommonJS: exact CNT, closed frames, OWN sum, ACC spine, async suspend', () => {
  const { out, profile } = runTraced('app.js')
  assert.is(profile.threads.length, 1)
  assert.is(profile.threads[0].name, 'main')
  assert.is(profile.meta.droppedBlocks, 0)
  checkKnownProgram(deriveCallGraph(profile), out)
})

test('ES module + worker thread: same figures; the worker is its own thread', () => {
  const { out, profile } = runTraced('app.mjs', { TRACER_WORKER: '1' })
  assert.is(out.workerFib, 610)
  const names = profile.threads.map((t) => t.name).sort()
  assert.is(names.length, 2)
  assert.is(names[0], 'main')
  assert.match(names[1], /^worker \d+$/)
  checkKnownProgram(deriveCallGraph(profile, { thread: 'main' }), out)
  const w = deriveCallGraph(profile, { thread: names[1] })
  const fib = w.nodes.filter((n) => n.name === 'fib')
  assert.is(fib.length, 1)
  assert.ok(fib[0].file!.endsWith('worker.js'))
  assert.is(fib[0].calls, 1973)
})

test('locations: original file and line of each function', () => {
  const { profile } = runTraced('app.js')
  const fib = profile.frames.frames.find((f) => f.name === 'fib')!
  assert.is(fib.file, path.join(app, 'app.js'))
  assert.is(fib.line, 4)
  const getter = profile.frames.frames.find((f) => f.name === 'get Box.double')!
  assert.is(getter.line, 17)
})

test.after(() => fs.rmSync(tmp, { recursive: true, force: true }))
test.run()
