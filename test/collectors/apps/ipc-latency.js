// Fixture for test/collectors/ipc-latency.test.ts: child_process IPC under -r dist/register.js
// in both processes (fork inherits execArgv and the environment). Every message carries its send
// time (process.hrtime: CLOCK_MONOTONIC, one clock for all processes of the host); each side's
// 'message' handler computes latency at its start (the truth) and checks the payload is exactly
// what was sent. Phases, each a window between two reads of the receiver's collectors:
//   p2c-idle     101 parent→child messages 3 ms apart
//   p2c-blocked  the child blocks 20 ms while 50 messages queue
//   c2p-idle     101 child→parent messages 3 ms apart
// Prints one JSON line per phase: truth (mean, n) vs the receiver's "ipc" row (latency _sum and
// _count delta, sent/received).
'use strict'
const { fork } = require('node:child_process')
const { isDeepStrictEqual } = require('node:util')
const { collectors } = require(`${process.env.SONDE_DIST}/index.js`)

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
const now = () => process.hrtime.bigint()
const payload = (i) => ({ i, s: 'x'.repeat(i % 7), a: [i, { b: i % 2 === 0 }], n: null })

function ipcRow(direction) {
  const ch = (collectors.snapshot().messages?.channels ?? []).find((c) => c.channel === 'ipc' && c.direction === direction)
  return ch ? { count: ch.latencyNs.count, sumNs: ch.latencyNs.sum, sent: ch.sent, received: ch.received } : { count: 0, sumNs: 0, sent: 0, received: 0 }
}

/** Truth kept by a receiving handler: latency of every message, payload checks, leaks. */
function receiver(direction) {
  let sum = 0n, n = 0, bad = 0, data = 0
  return {
    onMessage(m) {
      if (!m || typeof m.t !== 'string') { bad++; return false }  // an internal stamp leaking through would land here
      sum += now() - BigInt(m.t); n++
      if (m.i !== undefined) { data++; if (!isDeepStrictEqual(m.p, payload(m.i))) bad++ }
      return true
    },
    take() { const r = { truthSumNs: String(sum), truthN: n, data, bad, row: ipcRow(direction) }; sum = 0n; n = 0; data = 0; return r },
  }
}

if (process.argv[2] === 'child') {
  const rx = receiver('parent->child')
  process.on('message', async (m) => {
    if (!rx.onMessage(m)) return
    if (m.cmd === 'block') { const end = Date.now() + m.ms; while (Date.now() < end); }
    if (m.cmd === 'report') { await sleep(50); process.send({ cmd: 'report', r: rx.take(), t: String(now()) }) }
    if (m.cmd === 'burst') {
      for (let i = 0; i < m.count; i++) { process.send({ i, p: payload(i), t: String(now()) }); await sleep(3) }
      process.send({ cmd: 'burst-done', t: String(now()) })
    }
    if (m.cmd === 'exit') process.disconnect()
  })
  process.send({ cmd: 'ready', t: String(now()) })
} else {
  const child = fork(__filename, ['child'])
  const rx = receiver('child->parent')
  const waiters = []
  child.on('message', (m) => { if (rx.onMessage(m)) { const w = waiters.findIndex((x) => x.cmd === m.cmd); if (w >= 0) waiters.splice(w, 1)[0].resolve(m) } })
  const next = (cmd) => new Promise((resolve) => waiters.push({ cmd, resolve }))
  const out = (phase, direction, before, r) => {
    const count = r.row.count - before.count, sum = r.row.sumNs - before.sumNs
    process.stdout.write(JSON.stringify({ phase, direction, truthMeanNs: Number(BigInt(r.truthSumNs)) / r.truthN, truthN: r.truthN, data: r.data, bad: r.bad, metricsMeanNs: count ? sum / count : 0, metricsCount: count, sent: r.row.sent, received: r.row.received }) + '\n')
  }
  const report = async () => { const p = next('report'); child.send({ cmd: 'report', t: String(now()) }); return (await p).r }
  ;(async () => {
    await next('ready')
    let childBefore = (await report()).row
    await sleep(50)
    rx.take()
    let parentBefore = ipcRow('child->parent')
    for (let i = 0; i < 101; i++) { child.send({ i, p: payload(i), t: String(now()) }); await sleep(3) }
    let r = await report(); out('p2c-idle', 'parent->child', childBefore, r); childBefore = r.row
    child.send({ cmd: 'block', ms: 20, t: String(now()) })
    await sleep(2)
    for (let i = 0; i < 50; i++) child.send({ i, p: payload(i), t: String(now()) })
    await sleep(60)
    r = await report(); out('p2c-blocked', 'parent->child', childBefore, r)
    const done = next('burst-done')
    child.send({ cmd: 'burst', count: 101, t: String(now()) })
    await done
    await sleep(50)
    out('c2p-idle', 'child->parent', parentBefore, rx.take())
    child.send({ cmd: 'exit', t: String(now()) })
  })()
}
