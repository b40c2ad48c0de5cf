// `sonde run` end to end (real child processes), the trace flush on signals without
// changing the app's own signal behaviour, and the bounded buffer dropping oldest blocks.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawn, spawnSync } from 'node:child_process'
import * as fs from 'node:fs'
import * as os from 'node:os'
import * as path from 'node:path'
import { importFromSondeTrace } from '../../viz/importers/sonde-trace'
import { importProfileFile } from '../../viz/importers/index'
import { deriveCallGraph } from '../../viz/graph/derive'

const root = path.resolve(__dirname, '..', '..')
const app = path.join(root, 'test', 'fixtures', 'apps', 'tracer-known')
const sonde = path.join(root, 'bin', 'sonde.js')
const preload = path.join(root, 'dist', 'tracer', 'preload.js')
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sonde-run-'))

function sondeRun(args: string[]) {
  return spawnSync(process.execPath, [sonde, 'run', ...args], { cwd: app, encoding: 'utf8', timeout: 60_000 })
}

test('sonde run --trace-functions writes a trace with exact counts', async () => {
  const out = path.join(tmp, 'run.trace')
  const r = sondeRun(['--trace-functions', 'app.*', '--trace-out', out, '--', 'node', 'app.js'])
  assert.is(r.status, 0, r.stderr)
  const p = await importProfileFile(out)
  assert.is(p.format, 'sonde-trace')
  const g = deriveCallGraph(p)
  assert.is(g.nodes.find((n) => n.name === 'fib')!.calls, 21891)
  assert.is(g.nodes.find((n) => n.name === 'helper')!.calls, 1000)
})

test('sonde run --stacks: perf map with JS names, no V8 log files left in the working directory', () => {
  // --perf-basic-prof alone makes Node 20 write isolate-*-v8.log (one per isolate, workers too) into the cwd.
  const cwd = fs.mkdtempSync(path.join(tmp, 'stacks-'))
  const code = "const { Worker } = require('node:worker_threads'); new Worker('1', { eval: true }).on('exit', () => {}); function sondeStacksProbe() { let s = 0; for (let i = 0; i < 1e5; i++) s += i; return s } for (let i = 0; i < 200; i++) sondeStacksProbe(); console.log(process.pid)"
  const r = spawnSync(process.execPath, [sonde, 'run', '--stacks', '--', 'node', '-e', code], { cwd, encoding: 'utf8', timeout: 60_000 })
  assert.is(r.status, 0, r.stderr)
  const map = `/tmp/perf-${r.stdout.trim()}.map`
  try {
    assert.match(fs.readFileSync(map, 'utf8'), /sondeStacksProbe/)
  } finally { fs.rmSync(map, { force: true }) }
  assert.equal(fs.readdirSync(cwd), [])
})

test('-r sonde/register with SONDE_TRACE traces too', () => {
  const out = path.join(tmp, 'register.trace')
  const r = spawnSync(process.execPath, ['-r', path.join(root, 'dist', 'register.js'), 'app.js'], {
    cwd: app, encoding: 'utf8', env: { ...process.env, SONDE_TRACE: '', SONDE_TRACE_OUT: out },
  })
  assert.is(r.status, 0, r.stderr)
  const g = deriveCallGraph(importFromSondeTrace(fs.readFileSync(out, 'utf8'), out)!)
  assert.is(g.nodes.find((n) => n.name === 'fib')!.calls, 21891)
})

test('the pattern selects modules: a glob that does not match traces nothing', () => {
  const out = path.join(tmp, 'none.trace')
  const r = sondeRun(['--trace-functions', 'lib/**', '--trace-out', out, '--', 'node', 'app.js'])
  assert.is(r.status, 0, r.stderr)
  const p = importFromSondeTrace(fs.readFileSync(out, 'utf8'), out)!
  assert.is(p.frames.frames.filter((f) => f.kind === 'js').length, 0)
  // … and says so: the modules that loaded, and where a relative glob points
  assert.match(r.stderr, /warning: --trace-functions 'lib\/\*\*' matched none of the 1 module the app loaded/)
  assert.match(r.stderr, /loaded \(relative to .*tracer-known\): app\.js\n/)
  assert.ok(r.stderr.includes(`'lib/**' means '${path.join(app, 'lib/**')}'`), r.stderr)
  const regex = sondeRun(['--trace-functions', '/no-such-module/', '--trace-out', out, '--', 'node', 'app.js'])
  assert.match(regex.stderr, /matched none of the 1 module/)
  assert.not.match(regex.stderr, /relative glob/)
  const hit = sondeRun(['--trace-functions', 'app.*', '--trace-out', out, '--', 'node', 'app.js'])
  assert.is(hit.status, 0, hit.stderr)
  assert.not.match(hit.stderr, /warning/)
})

test('sonde run --cpu-profile --counts: sampled profile with exact V8 call counts', async () => {
  const out = path.join(tmp, 'app.cpuprofile')
  const r = sondeRun(['--cpu-profile', out, '--counts', '--', 'node', 'app.js'])
  assert.is(r.status, 0, r.stderr)
  const p = await importProfileFile(out)
  assert.is(p.format, 'cpuprofile+counts')
  const g = deriveCallGraph(p)
  const fib = g.nodes.filter((n) => n.name === 'fib')
  assert.is(fib.length, 1)
  assert.is(fib[0].calls, 21891)
  // fib(20) takes well under a millisecond: whether the sampler caught it is luck; its CNT is
  // exact either way (test/tracer/cpu-counts.test.ts covers the unsampled case).
  const counts = (JSON.parse(fs.readFileSync(out, 'utf8')) as { sondeCallCounts: [string, string, number, number, number][] }).sondeCallCounts
  const mine = counts.filter((c) => c[0].endsWith('/tracer-known/app.js'))
  const count = (name: string) => mine.find((c) => c[1] === name)?.[4]
  assert.is(count('helper'), 1000)
  assert.is(count('thrower'), 7)
  assert.is(count('middle'), 7)
  assert.is(count('outer'), 7)
  assert.is(count('waiter'), 1)
})

test('bad usage: one line, exit 2', () => {
  for (const args of [[], ['--counts', '--', 'node', 'x.js'], ['--bogus', '--', 'node'], ['--trace-functions', '/[/', '--', 'node', 'x.js'], ['--dashboard', 'x', '--', 'node']]) {
    const r = sondeRun(args)
    assert.is(r.status, 2, args.join(' '))
    assert.is(r.stderr.trim().split('\n').length, 1, r.stderr)
    assert.not.match(r.stderr, /\n\s+at /)
  }
})

function startSleeper(out: string, env: Record<string, string>): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string }> {
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, ['-r', preload, 'sleeper.js'], {
      cwd: app, env: { ...process.env, SONDE_TRACE: '', SONDE_TRACE_OUT: out, ...env }, stdio: ['ignore', 'pipe', 'inherit'],
    })
    let stdout = ''
    c.stdout.on('data', (d: Buffer) => {
      stdout += d.toString()
      if (stdout.includes('ready') && !stdout.includes('sent')) { stdout += 'sent'; c.kill(env.OWN_HANDLER ? 'SIGINT' : 'SIGTERM') }
    })
    c.on('error', reject)
    c.on('exit', (code, signal) => resolve({ code, signal, stdout }))
  })
}

test('SIGTERM without an app handler: trace flushed, process still dies by SIGTERM', async () => {
  const out = path.join(tmp, 'term.trace')
  const r = await startSleeper(out, {})
  assert.is(r.signal, 'SIGTERM')
  const p = importFromSondeTrace(fs.readFileSync(out, 'utf8'), out)!
  const g = deriveCallGraph(p)
  assert.ok(g.nodes.find((n) => n.name === 'tick')!.calls! >= 23)
  assert.is(g.nodes.find((n) => n.name === 'ready')!.calls, 1)
})

test("SIGINT with the app's own handler: its handler runs and decides the exit", async () => {
  const out = path.join(tmp, 'int.trace')
  const r = await startSleeper(out, { OWN_HANDLER: '1' })
  assert.is(r.signal, null)
  assert.is(r.code, 0)
  assert.match(r.stdout, /handled/)
  const p = importFromSondeTrace(fs.readFileSync(out, 'utf8'), out)!
  const g = deriveCallGraph(p)
  assert.is(g.nodes.find((n) => n.name === 'onInt')!.calls, 1)
})

test('bounded buffer: a long run drops the oldest blocks and the file counts them', () => {
  const out = path.join(tmp, 'long.trace')
  const r = spawnSync(process.execPath, ['-r', preload, 'long.js'], {
    cwd: app, encoding: 'utf8', env: { ...process.env, SONDE_TRACE: '', SONDE_TRACE_OUT: out, SONDE_TRACE_BUFFER_BYTES: String(4 * 65536) },
  })
  assert.is(r.status, 0, r.stderr)
  assert.is(r.stdout.trim(), '300000')
  const text = fs.readFileSync(out, 'utf8')
  const header = JSON.parse(text.split('\n')[1].slice(2)) as { droppedBlocks: number; droppedEvents: number }
  assert.ok(header.droppedBlocks > 0, 'blocks dropped')
  assert.ok(fs.statSync(out).size < 4 * 65536 * 1.5, 'file bounded by the buffer')
  const p = importFromSondeTrace(text, out)!
  assert.is(p.meta.droppedBlocks, header.droppedBlocks)
  const g = deriveCallGraph(p)
  const tick = g.nodes.find((n) => n.name === 'tick')!
  assert.ok(tick.calls! > 0 && tick.calls! < 300000)
  // Kept + dropped events account for every entry and return: 2 per tick, 2 for main.
  const tickEvents = 2 * tick.calls! + header.droppedEvents
  assert.ok(Math.abs(tickEvents - (2 * 300000 + 2)) <= 2, `events ${tickEvents}`)
  // The stack snapshot at the first kept block puts tick back under main.
  const e = g.edges.find((x) => g.nodes[x.callee].name === 'tick')!
  assert.is(g.nodes[e.caller].name, 'main')
  assert.is(e.calls, tick.calls)
})

test.after(() => fs.rmSync(tmp, { recursive: true, force: true }))
test.run()
