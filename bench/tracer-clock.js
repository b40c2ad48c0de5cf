#!/usr/bin/env node
// Which clock should the function tracer read on each entry and exit? One process, the
// candidates interleaved in rounds, median ns per read over 9 rounds of 2e6 reads each.
// Each read is turned into what the tracer needs (a Number of ns since its start), so
// conversion costs count. Date.now() is left out: 1 ms resolution.
// Run: `node bench/tracer-clock.js` (after `npm run compile` for the native floor row).
'use strict'
const { performance } = require('node:perf_hooks')
const os = require('node:os')

const N = 2e6
const t0Perf = performance.now()
const t0Big = process.hrtime.bigint()
const t0Arr = process.hrtime()
let sink = 0

const candidates = {
  'performance.now() → ns': () => { for (let i = 0; i < N; i++) sink += Math.round((performance.now() - t0Perf) * 1e6) },
  'performance.now() → ns (no round)': () => { for (let i = 0; i < N; i++) sink += (performance.now() - t0Perf) * 1e6 },
  'process.hrtime.bigint() → Number ns': () => { for (let i = 0; i < N; i++) sink += Number(process.hrtime.bigint() - t0Big) },
  'process.hrtime() [s, ns] → ns': () => { for (let i = 0; i < N; i++) { const t = process.hrtime(t0Arr); sink += t[0] * 1e9 + t[1] } },
  'empty loop (baseline)': () => { for (let i = 0; i < N; i++) sink += i },
}
let addon
try { addon = require('../dist/probes/addon').nativeAddon() } catch { addon = undefined }
if (addon && addon.benchEmpty) {
  const f = addon.benchEmpty
  candidates['native floor: empty N-API call (no clock)'] = () => { for (let i = 0; i < N; i++) { f(); sink++ } }
}

function time(fn) { const t = process.hrtime.bigint(); fn(); return Number(process.hrtime.bigint() - t) / N }
const names = Object.keys(candidates)
for (const n of names) { candidates[n](); candidates[n]() }
const per = Object.fromEntries(names.map((n) => [n, []]))
for (let r = 0; r < 9; r++) for (const n of (r % 2 ? [...names].reverse() : names)) per[n].push(time(candidates[n]))
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1]
process.stdout.write(`node ${process.version}, ${os.cpus()[0].model}, load ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}\n`)
for (const n of names) process.stdout.write(`${n.padEnd(44)} ${median(per[n]).toFixed(1)} ns/read (min ${Math.min(...per[n]).toFixed(1)})\n`)
if (sink === 42) process.stdout.write('\n')
