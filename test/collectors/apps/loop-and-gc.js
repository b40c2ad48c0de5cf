// Fixture for test/collectors/loop-and-gc-truth.test.ts, run under
//   node --trace-gc -r dist/register.js loop-and-gc.js   (SONDE_COLLECT from the environment)
// Idles (timers only) until stdin says "block", then blocks the loop for 50 ms of wall time,
// churns the heap, forces a full GC and, on "end", prints the collectors' event-loop delay and
// the GC collector's count of collections (kinds 1|2|4) as "RESULT {...}" after draining the GC
// ring, then exits. Prints "READY" once started.
'use strict'
const { collectors } = require(`${process.env.SONDE_DIST}/index.js`)
const { flushGcEvents } = require(`${process.env.SONDE_DIST}/runtime/gc-ring.js`)
const { nativeAddon } = require(`${process.env.SONDE_DIST}/probes/addon.js`)

const idle = setInterval(() => {}, 1000)
process.stdout.write('READY\n')
let buf = ''
process.stdin.on('data', (d) => {
  buf += d
  if (buf.includes('block\n')) {
    buf = buf.replace('block\n', '')
    const until = Date.now() + 50
    while (Date.now() < until) { /* a synchronous block of the loop */ }
    let keep = []
    for (let i = 0; i < 300000; i++) { keep.push({ i }); if (keep.length > 20000) keep = [] }
    globalThis.gc?.()
    process.stdout.write('BLOCKED\n')
  }
  if (buf.includes('snap\n')) {
    buf = buf.replace('snap\n', '')
    process.stdout.write(`SNAP ${JSON.stringify(collectors.snapshot().eventLoop.delayNs)}\n`)
  }
  if (buf.includes('end\n')) {
    clearInterval(idle)
    setTimeout(() => {
      flushGcEvents()
      const s = collectors.snapshot()
      const count = s.gc.kinds.filter((k) => ['scavenge', 'minor_mark_compact', 'mark_sweep_compact'].includes(k.kind)).reduce((a, k) => a + k.count, 0)
      process.stdout.write(`RESULT ${JSON.stringify({ iso: nativeAddon().isolateAddress(), gcCount: count, delay: s.eventLoop.delayNs })}\n`)
      process.exit(0)
    }, 50)
  }
})
