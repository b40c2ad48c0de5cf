// Fixture for test/collectors/gc-accuracy.test.ts. Runs under
//   stdbuf -oL node --trace-gc --expose-gc -r dist/register.js gc-accuracy.js
// (collectors on through the product path: SONDE_COLLECT from the environment). The main thread
// and one worker churn the heap (scavenges, promotions, a forced full GC each) inside a window.
// Window edges: force a GC (young generation empty, so no GC starts while /metrics is read),
// drain the GC ring, write a marker to fd 1 (V8's --trace-gc lines share fd 1, line-buffered, so
// line order is event order), read the app's own /metrics text (collectors.metrics(), the text
// GET /metrics serves). The worker waits > the bridge flush interval (100 ms) before it reports,
// so its GCs have reached the main registry. Prints "RESULT {...}" with both /metrics texts.
'use strict'
const fs = require('node:fs')
const { Worker, isMainThread, parentPort, threadId } = require('node:worker_threads')
const dist = process.env.SONDE_DIST
const { collectors } = require(`${dist}/index.js`)
const { flushGcEvents, gcEvents } = require(`${dist}/runtime/gc-ring.js`)
const { nativeAddon } = require(`${dist}/probes/addon.js`)
const churn = require('./churn')

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
let local = 0  // GCs of this thread's isolate seen by the collectors' event source (kinds 1|2|4)
gcEvents.subscribe((e) => { if (e.kind & 7) local++ })


async function main() {
  const iso = nativeAddon().isolateAddress()
  const w = new Worker(__filename, { env: process.env })
  await new Promise((resolve) => w.once('message', resolve))  // worker's start-up GCs forwarded
  // Window start: GCs before sonde's preload ran (module loading) are invisible to any hook, so
  // the comparison is a delta between two reads of /metrics. A first read outside the window:
  // the first scrape loads prom-client (its allocation would start a GC inside the window).
  await collectors.metrics()
  globalThis.gc()
  flushGcEvents()
  local = 0
  fs.writeSync(1, 'MARK start\n')
  const base = await collectors.metrics()
  fs.writeSync(1, 'MARK based\n')
  const worker = new Promise((resolve) => w.once('message', resolve))
  w.postMessage('go')
  churn(1_500_000)
  const wr = await worker
  await sleep(50)
  globalThis.gc()
  flushGcEvents()
  fs.writeSync(1, 'MARK end\n')
  const text = await collectors.metrics()
  const timeline = collectors.snapshot().gc.recent.filter((g) => g.threadId === wr.threadId).length
  fs.writeSync(1, `RESULT ${JSON.stringify({ iso, local, worker: wr, base, text, timeline })}\n`)
  w.postMessage('exit')
}

async function inWorker() {
  const settle = async () => { globalThis.gc(); flushGcEvents(); await sleep(400) }  // > bridge flush (100 ms)
  await settle()
  parentPort.postMessage('ready')
  await new Promise((resolve) => parentPort.once('message', resolve))
  local = 0
  churn(600_000)
  await settle()
  parentPort.postMessage({ iso: nativeAddon().isolateAddress(), threadId, local })
  parentPort.once('message', () => process.exit(0))
}

if (isMainThread) main()
else inWorker()
