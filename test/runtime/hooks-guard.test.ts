// A hook that faults never disturbs the app: forced faults (probes whose fire throws, standing
// in for any bug inside a hook) are caught and counted; after MAX_FAULTS the hook switches
// itself off with exactly one SONDE_HOOK_FAULT warning, and the app's requests and messages
// go on unchanged. Real http server, real worker thread, in this process.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import http from 'node:http'
import diagnostics_channel from 'node:diagnostics_channel'
import { MessageChannel, MessagePort } from 'node:worker_threads'
import { createHookGuard, HOOK_FAULT_CODE, MAX_FAULTS } from '../../runtime/hooks/hook-guard'
import { installHttpHook, type HttpProbeSet } from '../../runtime/hooks/http-hook'
import { installMessageHook } from '../../runtime/hooks/message-hook'
import { disabledProbe } from '../../runtime/hooks/install-hooks'

const warnings: Error[] = []
process.on('warning', (w) => { if ((w as Error & { code?: string }).code === HOOK_FAULT_CODE) warnings.push(w) })
const nextWarnings = () => new Promise((r) => setImmediate(r))

let fires = 0
const throwing = { get enabled() { return true }, fire() { fires++; throw new Error('forced fault') } }

function get(port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let body = ''
      res.on('data', (d) => { body += d })
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    }).on('error', reject)
  })
}

test('guard: run() catches, counts, trips once after MAX_FAULTS, then is pass-through', async () => {
  const g = createHookGuard('unit')
  let offCalls = 0
  g.onTrip(() => { offCalls++ })
  const before = warnings.length
  for (let i = 0; i < 2 * MAX_FAULTS; i++) assert.is(g.run(() => { throw new Error('x') }), undefined)
  await nextWarnings()
  assert.is(g.faults, MAX_FAULTS)
  assert.is(g.on, false)
  assert.is(offCalls, 1)
  assert.is(warnings.length - before, 1)
  assert.is(g.run(() => 42), undefined)
})

test('http hook with a faulting probe: 23 requests all served, one warning, hook unsubscribed', async () => {
  const d = disabledProbe
  const probes: HttpProbeSet = {
    sonde: { http__server__request: throwing, http__server__response: throwing, http__client__request: d, http__client__response: d },
    node: { http__server__request: d, http__server__response: d, http__client__request: d, http__client__response: d },
  }
  const before = warnings.length
  fires = 0
  const uninstall = installHttpHook(probes)
  assert.ok(diagnostics_channel.hasSubscribers('http.server.request.start'))
  const server = http.createServer((req, res) => res.end('ok ' + req.url))
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r))
  const port = (server.address() as { port: number }).port
  for (let i = 0; i < 23; i++) {
    const r = await get(port, `/x/${i}`)
    assert.is(r.status, 200)
    assert.is(r.body, `ok /x/${i}`)
  }
  server.close()
  await nextWarnings()
  assert.is(fires, MAX_FAULTS, 'faulted MAX_FAULTS times, then switched off')
  assert.is(warnings.length - before, 1)
  assert.match(warnings[warnings.length - 1].message, /http hook faulted 5 times/)
  assert.not.ok(diagnostics_channel.hasSubscribers('http.server.request.start'))
  uninstall()
})

test('message hook with a faulting probe: messages delivered unchanged, one warning, prototypes restored', async () => {
  const origPost = MessagePort.prototype.postMessage
  const before = warnings.length
  fires = 0
  installMessageHook({ msg__send: throwing, msg__receive: disabledProbe })
  assert.is.not(MessagePort.prototype.postMessage, origPost)
  const { port1, port2 } = new MessageChannel()
  const got: unknown[] = []
  const sent = Array.from({ length: 23 }, (_, i) => ({ i, s: 'm' + i }))
  await new Promise<void>((resolve) => {
    port2.on('message', (m) => { got.push(m); if (got.length === sent.length) resolve() })
    for (const m of sent) port1.postMessage(m)
  })
  port1.close()
  await nextWarnings()
  assert.equal(got, sent)
  assert.is(fires, MAX_FAULTS)
  assert.is(warnings.length - before, 1)
  assert.is(MessagePort.prototype.postMessage, origPost, 'uninstalled on trip')
})

test.run()
