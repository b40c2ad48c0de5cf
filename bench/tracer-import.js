#!/usr/bin/env node
// Importer cost on a trace with many suspensions pending at once (run after `npm run compile`):
// `node bench/tracer-import.js`. Traces bench/tracer-fixtures/concurrent.js (5000 async
// activations awaiting timers at the same time) in a child process, then imports the file
// 3 times in this process and prints the median, with the file size and event count.
'use strict'
const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')

const root = path.resolve(__dirname, '..')
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sonde-bench-import-'))
const trace = path.join(dir, 'concurrent.trace')
const r = spawnSync(process.execPath, ['-r', path.join(root, 'dist', 'tracer', 'preload.js'), path.join(__dirname, 'tracer-fixtures', 'concurrent.js')], {
  env: { ...process.env, SONDE_TRACE: '', SONDE_TRACE_OUT: trace }, encoding: 'utf8',
})
if (r.status !== 0) { process.stderr.write(r.stderr); process.exit(1) }
const { importFromSondeTrace } = require(path.join(root, 'dist', 'viz', 'importers', 'sonde-trace'))
const text = fs.readFileSync(trace, 'utf8')
const times = []
let profile
for (let i = 0; i < 3; i++) {
  const t = process.hrtime.bigint()
  profile = importFromSondeTrace(text, trace)
  times.push(Number(process.hrtime.bigint() - t) / 1e6)
}
times.sort((a, b) => a - b)
const nodes = profile.threads.reduce((s, t) => s + (t.tree ? t.tree.size : 0), 0)
process.stdout.write(`node ${process.version}, load ${os.loadavg().map((x) => x.toFixed(2)).join(' ')}\n`)
process.stdout.write(`trace ${(text.length / 1e6).toFixed(1)} MB, ${nodes} CCT nodes: import median ${times[1].toFixed(0)} ms (runs ${times.map((x) => x.toFixed(0)).join(', ')})\n`)
fs.rmSync(dir, { recursive: true, force: true })
