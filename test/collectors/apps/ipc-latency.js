// Fixture for test/collectors/ipc-latency.test.ts: child_process IPC under -r dist/register.js
// in both processes (fork inherits execArgv and the environment). Every message carries its send
// time (process.hrtime in ns as a Number, exact below 2^53: CLOCK_MONOTONIC, one clock for all
// processes of the host), written into the finished message object right before send() so the
// app's own work stays out of the interval as far as it can; each side's 'message' handler
// reads the clock as its first statement (the truth) and then checks the payload is exactly
// what was sent. Phases, each a window between two reads of the receiver's collectors:
//   p2c-idle     101 parent→child messages 3 ms apart
//   p2c-blocked  the child blocks 20 ms while 50 messages queue
//   c2p-idle     101 child→parent messages 3 ms apart
// Prints one JSON line per phase: truth (mean, n) vs the receiver's "ipc" row (latency _sum and
// _count delta, sent/received), and per message, in arrival order, the truth and the latency the
// hook gave the collector (a passive listener on the same event source: it sees every event the
// collector sees and changes nothing), so the test can pair them message by message.
'use strict'
const { fork } = require('node:child_process')
const { isDeepStrictEqual } = require('node:util')
const { collectors } = require(`${process.env.SONDE_DIST}/index.js`)
const { messageEvents } = require(`${process.env.SONDE_DIST}/runtime/runtime-events.js`)

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
const now = () => Number(process.hrtime.bigint())
/** Sends `m` stamped with the send time as the last thing before the call (the property is
 * created first, so the stamping store only overwrites it). */
const send = (target, m) => { m.t = 0; m.t = now(); return target.send(m) }
const payload = (i) => ({ i, s: 'x'.repeat(i % 7), a: [i, { b: i % 2 === 0 }], n: null })

function ipcRow(direction) {
  const ch = (collectors.snapshot().messages?.channels ?? []).find((c) => c.channel === 'ipc' && c.direction === direction)
  return ch ? { count: ch.latencyNs.count, sumNs: ch.latencyNs.sum, sent: ch.sent, received: ch.received } : { count: 0, sumNs: 0, sent: 0, received: 0 }
}

/** Truth kept by a receiving handler: latency of every message, payload checks, leaks. */
function receiver(direction) {
  let sum = 0, n = 0, bad = 0, data = 0, truthNs = [], hookNs = []
  messageEvents.subscribePassive((e) => {
    if (e.channelId === -1 && e.phase === 'receive' && e.direction === direction) hookNs.push(e.latencyNs ?? -1)
  })
  return {
    /** `at`: the clock read first thing in the handler. */
    onMessage(m, at) {
      // an internal stamp leaking through would land here
      if (!m || typeof m.t !== 'number' || typeof m.cmd === 'string' && m.cmd.startsWith('NODE_')) { bad++; return false }
      sum += at - m.t; n++; truthNs.push(at - m.t)
      if (m.i !== undefined) { data++; if (!isDeepStrictEqual(m.p, payload(m.i))) bad++ }
      return true
    },
    take() {
      const r = { truthSumNs: sum, truthN: n, data, bad, row: ipcRow(direction), truthNs, hookNs }
      sum = 0; n = 0; data = 0; truthNs = []; hookNs = []
      return r
    },
  }
}

if (process.argv[2] === 'child') {
  const rx = receiver('parent->child')
  process.on('message', async (m) => {
    const at = now()
    if (!rx.onMessage(m, at)) return
    if (m.cmd === 'block') { const end = Date.now() + m.ms; while (Date.now() < end); }
    if (m.cmd === 'report') { await sleep(50); send(process, { cmd: 'report', r: rx.take() }) }
    if (m.cmd === 'burst') {
      for (let i = 0; i < m.count; i++) { send(process, { i, p: payload(i) }); await sleep(3) }
      send(process, { cmd: 'burst-done' })
    }
    if (m.cmd === 'exit') process.disconnect()
  })
  send(process, { cmd: 'ready' })
} else {
  const child = fork(__filename, ['child'])
  const rx = receiver('child->parent')
  const waiters = []
  child.on('message', (m) => { const at = now(); if (rx.onMessage(m, at)) { const w = waiters.findIndex((x) => x.cmd === m.cmd); if (w >= 0) waiters.splice(w, 1)[0].resolve(m) } })
  const next = (cmd) => new Promise((resolve) => waiters.push({ cmd, resolve }))
  const out = (phase, direction, before, r) => {
    const count = r.row.count - before.count, sum = r.row.sumNs - before.sumNs
    process.stdout.write(JSON.stringify({ phase, direction, truthMeanNs: r.truthSumNs / r.truthN, truthN: r.truthN, data: r.data, bad: r.bad, metricsMeanNs: count ? sum / count : 0, metricsCount: count, metricsSumNs: sum, sent: r.row.sent, received: r.row.received, truthNs: r.truthNs, hookNs: r.hookNs }) + '\n')
  }
  const report = async () => { const p = next('report'); send(child, { cmd: 'report' }); return (await p).r }
  ;(async () => {
    await next('ready')
    let childBefore = (await report()).row
    await sleep(50)
    rx.take()
    let parentBefore = ipcRow('child->parent')
    for (let i = 0; i < 101; i++) { send(child, { i, p: payload(i) }); await sleep(3) }
    let r = await report(); out('p2c-idle', 'parent->child', childBefore, r); childBefore = r.row
    send(child, { cmd: 'block', ms: 20 })
    await sleep(2)
    for (let i = 0; i < 50; i++) send(child, { i, p: payload(i) })
    await sleep(60)
    r = await report(); out('p2c-blocked', 'parent->child', childBefore, r)
    const done = next('burst-done')
    send(child, { cmd: 'burst', count: 101 })
    await done
    await sleep(50)
    out('c2p-idle', 'child->parent', parentBefore, rx.take())
    send(child, { cmd: 'exit' })
  })()
}
