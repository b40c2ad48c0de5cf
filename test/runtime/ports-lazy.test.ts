// Under `-r sonde/register` the main thread loads node:worker_threads (and the streams it brings)
// only when the app can first hold a port (runtime/ports-ready.ts): not at start-up, read from
// Node's own list of loaded builtins; and, for each way an app reaches a MessageChannel or a
// Worker, early enough that the worker-message hook sees every message. The truth is the app's
// own count: register's message collector, read only after the exchange (so nothing of sonde's
// is required before it), must have counted every message sent and received, each with its
// latency, on one channel; a worker's messages too (their latency needs the registry the worker
// shares with the main thread, handed over before the worker starts).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { dist, register } from '../support/run-app'

const N = 7
const PORT_MODULE = 'NativeModule internal/worker/io'
/** The channels register's collectors counted, as { sent, received, timed }. */
const COUNTED = `require(${JSON.stringify(path.join(dist, 'index.js'))}).collectors.snapshot().messages.channels.map((c) => ({ sent: c.sent, received: c.received, timed: c.latencyNs.count }))`

/** A program that gets MessageChannel through `get` (an expression or a promise of it), then sends N messages over it. */
function channelProgram(get: string): string {
  return `const atStart = process.moduleLoadList.includes(${JSON.stringify(PORT_MODULE)})
Promise.resolve(${get}).then((MC) => {
  const { port1, port2 } = new MC()
  let got = 0
  port2.on('message', () => { if (++got === ${N}) { port1.close(); setImmediate(report) } })
  for (let i = 0; i < ${N}; i++) port1.postMessage(i)
  function report() { process.stdout.write(JSON.stringify({ atStart, got, channels: ${COUNTED} })) }
})
`
}

function run(dir: string, file: string, source: string, env: Record<string, string> = {}): any {
  const app = path.join(dir, file)
  fs.writeFileSync(app, source)
  const r = spawnSync(process.execPath, ['-r', register, app], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, SONDE_COLLECT: 'default', ...env } })
  assert.is(r.status, 0, r.stderr)
  return JSON.parse(r.stdout)
}

function inDir(fn: (dir: string) => void): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sonde-ports-'))
  try { fn(dir) } finally { fs.rmSync(dir, { recursive: true, force: true }) }
}

test('an empty program under register (default collectors) never loads node:worker_threads or the port module', () => {
  inDir((dir) => {
    const probe = `const l = () => process.moduleLoadList.filter((m) => m === 'NativeModule worker_threads' || m === ${JSON.stringify(PORT_MODULE)})
const first = l()
setTimeout(() => process.stdout.write(JSON.stringify({ first, later: l() })), 1200)
`
    const out = run(dir, 'empty.js', probe)
    assert.equal(out.first, [], 'at the first line')
    assert.equal(out.later, [], 'after the collectors ticked')
  })
})

const WAYS: [string, string, string, Record<string, string>?][] = [
  ['the global MessageChannel', 'app.js', channelProgram('MessageChannel')],
  ["require('node:worker_threads')", 'app.js', channelProgram("require('node:worker_threads').MessageChannel")],
  ["require('worker_threads')", 'app.js', channelProgram("require('worker_threads').MessageChannel")],
  ['process.getBuiltinModule', 'app.js', channelProgram("process.getBuiltinModule('node:worker_threads').MessageChannel")],
  ['a module that required it', 'app.js', channelProgram("require('./lib.js').MessageChannel"), { 'lib.js': "module.exports = require('node:worker_threads')\n" }],
  ['import() from CommonJS', 'app.js', channelProgram("import('node:worker_threads').then((m) => m.MessageChannel)")],
  ['require() of an ES module that imported it', 'app.js', channelProgram("require('./lib.mjs').channelClass()"),
    { 'lib.mjs': "import { MessageChannel } from 'node:worker_threads'\nexport const channelClass = () => MessageChannel\n" }],
  ['a static import in an ES module app', 'app.mjs', `import { MessageChannel } from 'node:worker_threads'\nimport { createRequire } from 'node:module'\nconst require = createRequire(import.meta.url)\n${channelProgram('MessageChannel')}`],
]

for (const [name, file, source, files] of WAYS) {
  test(`a channel reached through ${name}: every message counted`, () => {
    inDir((dir) => {
      for (const [f, text] of Object.entries(files ?? {})) fs.writeFileSync(path.join(dir, f), text)
      const out = run(dir, file, source)
      if (file.endsWith('.js')) assert.is(out.atStart, false, 'the port module was not loaded at the first line')
      assert.is(out.got, N)
      assert.equal(out.channels, [{ sent: N, received: N, timed: N }], 'every message counted, sent and received, with its latency')
    })
  })
}

test('a worker started by an ES module app: every message from it counted with its latency', () => {
  inDir((dir) => {
    const app = `import { Worker } from 'node:worker_threads'
import { createRequire } from 'node:module'
const require = createRequire(import.meta.url)
const w = new Worker("const { parentPort } = require('node:worker_threads'); for (let i = 0; i < ${N}; i++) parentPort.postMessage(i)", { eval: true })
let got = 0
w.on('message', () => { if (++got === ${N}) setImmediate(() => w.terminate().then(() => process.stdout.write(JSON.stringify({ got, channels: ${COUNTED} })))) })
`
    const out = run(dir, 'app.mjs', app)
    assert.is(out.got, N)
    const received = out.channels.filter((c: { received: number }) => c.received > 0)
    assert.equal(received.map((c: { received: number; timed: number }) => [c.received, c.timed]), [[N, N]], `channels: ${JSON.stringify(out.channels)}`)
  })
})

test.run()
