#!/usr/bin/env node
// Function tracer overhead (run after `npm run compile`): `node bench/tracer-overhead.js`.
// One process, medians of 7 repeats:
//  - per traced call cost: leaf() called 2e6 times, traced copy vs untraced copy of the same file;
//  - the clock read the runtime does twice per traced call (bench/tracer-clock.js compares clocks);
//  - slowdown of a call-heavy program: fib(25) (242 785 calls), traced vs untraced;
//  - untraced functions unaffected: the untraced fib timed before the tracer is installed
//    and again after traced code ran (ratio ~1.0 expected).
'use strict'
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const src = path.join(__dirname, 'tracer-fixtures', 'calls.js')
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sonde-bench-'))
const plainFile = path.join(dir, 'plain', 'calls.js')
const tracedFile = path.join(dir, 'traced', 'calls.js')
for (const f of [plainFile, tracedFile]) { fs.mkdirSync(path.dirname(f)); fs.copyFileSync(src, f) }

function median(xs) { const s = [...xs].sort((a, b) => a - b); return s[s.length >> 1] }
function time(fn) { const t = process.hrtime.bigint(); fn(); return Number(process.hrtime.bigint() - t) }
function measure(fn, reps = 7) { for (let i = 0; i < 5; i++) fn(); const xs = []; for (let i = 0; i < reps; i++) xs.push(time(fn)); return median(xs) }

const { performance } = require('node:perf_hooks')
const plain = require(plainFile)
const N = 2e6, FIB = 25, FIB_CALLS = 242785
const plainFibBefore = measure(() => plain.fib(FIB))
const plainLoopBefore = measure(() => plain.loop(N))

const { installFunctionTracer } = require('../dist/tracer/install')
const tracer = installFunctionTracer({ pattern: `${path.dirname(tracedFile)}/**`, out: path.join(dir, 'bench.trace') })
const traced = require(tracedFile)
const tracedLoop = measure(() => traced.loop(N))
const tracedFib = measure(() => traced.fib(FIB))
const plainLoopAfter = measure(() => plain.loop(N))
// The clock the runtime reads twice per traced call (tracer/runtime.ts now()), same loop shape.
let sink = 0
const clockLoop = measure(() => { for (let i = 0; i < N; i++) sink += Math.round(performance.now() * 1e6) })
const plainFibAfter = measure(() => plain.fib(FIB))
tracer.uninstall()

const perCall = (tracedLoop - plainLoopAfter) / N
const rows = [
  ['traced call cost (leaf, entry+return)', `${perCall.toFixed(1)} ns/call`],
  ['untraced leaf call', `${(plainLoopAfter / N).toFixed(2)} ns/call`],
  ['clock read (performance.now -> ns), x2 per call', `${(clockLoop / N).toFixed(1)} ns/read`],
  [`fib(${FIB}) untraced`, `${(plainFibAfter / 1e6).toFixed(2)} ms`],
  [`fib(${FIB}) traced`, `${(tracedFib / 1e6).toFixed(2)} ms (${(tracedFib / plainFibAfter).toFixed(1)}x, ${((tracedFib - plainFibAfter) / FIB_CALLS).toFixed(1)} ns/call)`],
  ['untraced fib, after/before tracer installed', `${(plainFibAfter / plainFibBefore).toFixed(3)}`],
  ['untraced loop, after/before tracer installed', `${(plainLoopAfter / plainLoopBefore).toFixed(3)}`],
]
process.stdout.write(`node ${process.version}, ${os.cpus()[0].model}, medians of 7, load ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}\n`)
for (const [k, v] of rows) process.stdout.write(`${k.padEnd(46)} ${v}\n`)
fs.rmSync(dir, { recursive: true, force: true })
if (sink === 42) process.stdout.write('\n')
