// Fixture: 10 workers × 100 000 parent→worker messages (each worker echoes a count at the end).
// Prints heap used (after a full GC) at 50 % and at 100 % of the messages, and the number of
// message channels and messages the collectors saw, as one JSON line. The first reading is
// taken half-way, after the one-off start-up allocations (workers' first forwarded deltas on
// the 1 s tick, the series rings' first slots), so what grows after it grows with messages.
'use strict'
const { Worker, isMainThread, parentPort } = require('node:worker_threads')
if (!isMainThread) {
  let n = 0
  parentPort.on('message', (m) => { n++; if (m === 'end') parentPort.postMessage(n) })
} else {
  const { collectors } = require(process.env.SONDE_DIST + '/collectors/index.js')
  const W = 10, N = 100_000
  const workers = Array.from({ length: W }, () => new Worker(__filename))
  const heap = () => { global.gc(); return process.memoryUsage().heapUsed }
  const tick = () => new Promise((r) => setImmediate(r))
  ;(async () => {
    let mid = 0
    for (let i = 0; i < N; i++) {
      for (const w of workers) w.postMessage(i)
      if (i % 1000 === 999) await tick()
      if (i === N / 2) mid = heap()
    }
    const counts = await Promise.all(workers.map((w) => new Promise((r) => { w.once('message', r); w.postMessage('end') })))
    await new Promise((r) => setTimeout(r, 400))
    const end = heap()
    const s = collectors.snapshot().messages
    const down = s.channels.filter((c) => c.direction === 'parent->worker')
    process.stdout.write(JSON.stringify({ mid, end, counts, channels: s.channels.length, received: down.reduce((a, c) => a + c.received, 0), sent: down.reduce((a, c) => a + c.sent, 0) }) + '\n')
    await Promise.all(workers.map((w) => w.terminate()))
  })()
}
