// Bench app for bench/collectors-ipc.ts: a parent forks itself; the child echoes every message
// back; the parent times N round trips (process.send ↔ 'message', both directions) and prints
// the median of R batches, µs per round trip. Run bare or under -r dist/register.js (the child
// inherits execArgv and the environment).
'use strict'
const { fork } = require('node:child_process')

if (process.argv[2] === 'child') {
  process.on('message', (m) => { if (m === 'exit') process.disconnect(); else process.send(m) })
} else {
  const N = Number(process.env.N || 2000), R = Number(process.env.R || 7)
  const child = fork(__filename, ['child'])
  const payload = { id: 0, body: 'x'.repeat(64) }
  let left = 0, done
  child.on('message', () => { if (--left > 0) { payload.id++; child.send(payload) } else done() })
  const batch = () => new Promise((resolve) => { left = N; done = resolve; child.send(payload) })
  ;(async () => {
    await batch()  // warm-up
    const us = []
    for (let r = 0; r < R; r++) { const t0 = process.hrtime.bigint(); await batch(); us.push(Number(process.hrtime.bigint() - t0) / 1e3 / N) }
    us.sort((a, b) => a - b)
    process.stdout.write(JSON.stringify({ roundTripUs: +us[us.length >> 1].toFixed(2) }) + '\n')
    child.send('exit')
  })()
}
