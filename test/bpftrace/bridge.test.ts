// runBpftrace on its process runner (bpftrace/process.ts, whose own test covers the
// stop in detail: repeated SIGINT only while bpftrace polls, SIGKILL at the deadline). Here: a
// bpftrace that lost its first SIGINT still ends with its maps, durationS and watchPid end a
// run; a stand-in executable plays bpftrace (MODE below). The real bpftrace parts check that
// maps, hist and printf of a real run parse, and that runOneLiner starts bpftrace with the
// one-liner's environment (root + bpftrace).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { runBpftrace, runOneLiner } from '../../bpftrace/bridge'
import { missing } from '../support/system'

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sonde-bridge-'))
const standIn = path.join(dir, 'sleepy-bpftrace')
// MODE=second: the first SIGINT is lost, the second one ends it (what was seen by hand);
// MODE=first: a well-behaved bpftrace (the first SIGINT ends it).
fs.writeFileSync(standIn, `#!${process.execPath}
let interrupts = 0
const exit = () => process.stdout.write(JSON.stringify({ type: 'map', data: { '@fires': { a: 23 } } }) + '\\n', () => process.exit(0))
process.on('SIGINT', () => { if (++interrupts === (process.env.MODE === 'second' ? 2 : 1)) exit() })
setInterval(() => {}, 1000)
process.stdout.write(JSON.stringify({ type: 'attached_probes', data: { probes: 1 } }) + '\\n')
`, { mode: 0o755 })

async function stopStandIn(mode: string): Promise<{ r: Awaited<ReturnType<typeof runBpftrace>['result']>; ms: number; attached: number }> {
  let attached = 0
  let ready!: () => void
  const isReady = new Promise<void>((res) => { ready = res })
  process.env.MODE = mode
  const run = runBpftrace({ args: ['-e', 'unused'], bpftrace: standIn, onAttached: (n) => { attached = n; ready() } })
  await isReady // its handlers are in place
  const t0 = Date.now()
  run.stop()
  const r = await run.result
  return { r, ms: Date.now() - t0, attached }
}

test('a bpftrace that lost its SIGINT gets another one after 1 s while it polls; its maps are kept', async () => {
  const { r, ms, attached } = await stopStandIn('second')
  assert.is(attached, 1)
  assert.is(r.exitCode, 0)
  assert.equal(r.maps['@fires'], { a: 23 })
  assert.ok(ms >= 1000 && ms < 3000, `second SIGINT after ${ms} ms`)
  assert.match(r.notes.join(), /SIGINT repeated/)
})

test('durationS and watchPid end the run (first SIGINT honoured)', async () => {
  process.env.MODE = 'first'
  let t0 = Date.now()
  const r1 = await runBpftrace({ args: [], bpftrace: standIn, durationS: 1 }).result
  const ms1 = Date.now() - t0
  assert.equal([r1.exitCode, r1.maps['@fires']], [0, { a: 23 }])
  assert.ok(ms1 >= 1000 && ms1 < 2500, `durationS 1 → ${ms1} ms`)
  const { spawn } = await import('node:child_process')
  const short = spawn('sleep', ['1'], { stdio: 'ignore' })
  t0 = Date.now()
  const r2 = await runBpftrace({ args: [], bpftrace: standIn, watchPid: short.pid }).result
  const ms2 = Date.now() - t0
  assert.equal(r2.maps['@fires'], { a: 23 })
  assert.ok(ms2 >= 900 && ms2 < 2500, `watched process gone after 1 s → ${ms2} ms`)
})

const skip = missing('root', 'bpftrace')
if (skip) test.skip(`real bpftrace output (${skip})`, () => {})
else test('real bpftrace: map, hist (unit suffix → histogram model) and printf parse', async () => {
  const run = runBpftrace({ args: ['-e', 'BEGIN { @calls["x"] = count(); @calls["y"] = count(); @calls["y"] = count(); @lat_us = hist(300); @lat_us = hist(5); printf("hello %d\\n", 23); exit(); }'] })
  const r = await run.result
  assert.is(r.exitCode, 0, r.stderr)
  assert.equal(r.maps['@calls'], { x: 1, y: 2 })
  assert.equal(r.printf, ['hello 23'])
  const h = r.histograms['@lat_us']?.[0]
  assert.ok(h, JSON.stringify(r.histograms))
  assert.is(h!.summary.count, 2)
  assert.ok(h!.summary.max >= 256e3 && h!.summary.max <= 512e3, `max ${h!.summary.max} ns in the [256, 512) µs bucket`)
})

if (skip) test.skip(`a one-liner's bpftrace environment (${skip})`, () => {})
else test('runOneLiner gives bpftrace the one-liner\'s environment (loop-lag-stacks: the user-symbol cache)', async () => {
  const { spawn } = await import('node:child_process')
  // a process with sonde's addon loaded (bpftrace -p attaches to its probes)
  const app = spawn(process.execPath, ['-r', path.resolve(__dirname, '..', '..', 'dist', 'register.js'), '-e', 'console.log("up"); setInterval(() => {}, 1000)'], { stdio: ['ignore', 'pipe', 'inherit'] })
  await new Promise((res) => app.stdout!.once('data', res))
  let ready!: () => void
  const isReady = new Promise<void>((res) => { ready = res })
  const run = runOneLiner('loop-lag-stacks', app.pid!, { onReady: () => ready(), durationS: 30 })
  try {
    await Promise.race([isReady, run.result])
    const env = fs.readFileSync(`/proc/${run.pid}/environ`, 'utf8').split('\0')
    assert.ok(env.includes('BPFTRACE_CACHE_USER_SYMBOLS=1'), env.filter((e) => e.startsWith('BPFTRACE')).join(' ') || 'no BPFTRACE_ variable')
  } finally { run.stop(); app.kill() }
  assert.is((await run.result).exitCode, 0)
})

test.after(() => fs.rmSync(dir, { recursive: true, force: true }))
test.run()
