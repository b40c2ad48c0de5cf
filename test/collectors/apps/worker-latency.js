// Fixture: parent→worker messages carrying their send time (process.hrtime in ns as a Number,
// exact below 2^53; one clock for every thread), written into the finished message right before
// postMessage so the app's own work stays out of the interval as far as it can; the worker reads
// the clock as its handler's first statement and computes each message's latency (the test's
// independent truth). Phases: idle receiver (messages 3 ms apart), then a receiver blocked while 200 messages
// queue (until 20 ms after the last is posted). Between phases the parent scrapes /metrics (served by sonde's
// collectors on SONDE_DASHBOARD) and prints one JSON line per phase.
'use strict'
const { Worker, isMainThread, parentPort } = require('node:worker_threads')
const http = require('node:http')

if (!isMainThread) {
  let sum = 0, n = 0
  parentPort.on('message', (m) => {
    const now = Number(process.hrtime.bigint())
    sum += now - m.t; n++ // every message, control ones included, carries its send time
    if (m.cmd === 'block') {
      // spins until the parent has posted every message of the phase and waited m.ms more, so
      // each one queues behind the block however the threads are scheduled (10 s at most)
      const flag = new Int32Array(m.sab), end = Date.now() + 10_000
      while (Atomics.load(flag, 0) === 0 && Date.now() < end);
      return
    }
    if (m.cmd === 'report') { parentPort.postMessage({ sumNs: sum, n }); sum = 0; n = 0 }
  })
} else {
  const port = Number(process.env.SONDE_DASHBOARD)
  const w = new Worker(__filename)
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
  /** Posts `m` stamped with the send time as the last thing before the call (the property is
 * created first, so the stamping store only overwrites it). */
  const post = (m) => { m.t = 0; m.t = Number(process.hrtime.bigint()); w.postMessage(m) }
  const scrape = () => new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: '/metrics', headers: { authorization: `Bearer ${process.env.SONDE_TOKEN}` } }, (res) => {
      let body = ''; res.setEncoding('utf8'); res.on('data', (d) => (body += d)); res.on('end', () => resolve(body))
    }).on('error', reject)
  })
  const metric = (text, name) => {
    const line = text.split('\n').find((l) => l.startsWith(name + '{') && l.includes('direction="parent->worker"'))
    return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0
  }
  const report = () => new Promise((r) => { w.once('message', r); post({ cmd: 'report' }) })
  async function phase(name, send) {
    const before = await scrape()
    await send()
    const truth = await report()
    await sleep(400) // > worker-bridge flush interval
    const after = await scrape()
    const sum = metric(after, 'sonde_message_latency_seconds_sum') - metric(before, 'sonde_message_latency_seconds_sum')
    const count = metric(after, 'sonde_message_latency_seconds_count') - metric(before, 'sonde_message_latency_seconds_count')
    process.stdout.write(JSON.stringify({ phase: name, truthMeanNs: truth.sumNs / truth.n, truthN: truth.n, metricsMeanNs: count ? (sum / count) * 1e9 : 0, metricsCount: count }) + '\n')
  }
  w.once('online', async () => {
    await sleep(100)
    await phase('idle', async () => { for (let i = 0; i < 101; i++) { post({}); await sleep(3) } })
    await phase('blocked', async () => {
      const sab = new SharedArrayBuffer(4)
      post({ cmd: 'block', sab })
      await sleep(2)
      for (let i = 0; i < 200; i++) post({})
      await sleep(20)
      Atomics.store(new Int32Array(sab), 0, 1)
      await sleep(60)
    })
    await w.terminate()
  })
}
