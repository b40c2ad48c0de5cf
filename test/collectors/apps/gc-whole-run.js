// Fixture for test/collectors/gc-whole-run.test.ts. Runs under
//   stdbuf -oL node --trace-gc --expose-gc -r dist/register.js gc-whole-run.js
// with the default collectors. Main thread only: churns the heap (scavenges, promotions, one
// forced full GC), then reads /metrics once (the first read loads prom-client), forces a GC so
// the young generation is empty, drains the GC ring, writes "MARK end" to fd 1 (the --trace-gc
// lines share it, line-buffered, so every line before the mark is a GC the read after it must
// count), reads /metrics again and prints "RESULT {...}". Nothing is subtracted: the counts are
// those of the whole run, sonde's own start-up included.
'use strict'
const fs = require('node:fs')
const dist = process.env.SONDE_DIST
const { collectors } = require(`${dist}/index.js`)
const { flushGcEvents } = require(`${dist}/runtime/gc-ring.js`)
const { nativeAddon } = require(`${dist}/probes/addon.js`)
const churn = require('./churn')


async function main() {
  churn(1_000_000)
  await collectors.metrics()
  globalThis.gc()
  flushGcEvents()
  fs.writeSync(1, 'MARK end\n')
  const text = await collectors.metrics()
  fs.writeSync(1, `RESULT ${JSON.stringify({ iso: nativeAddon().isolateAddress(), text })}\n`)
}
main()
