// The HTTP hook in a real child (`node -r dist/register.js`), observed through httpEvents:
// 23 GETs -> 23 server and 23 client request/response pairs with the exact URLs, paired ids,
// status 200, durations > 0, and the express route template.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { runApp } from '../support/run-app'

const N = 23

for (const server of ['http', 'express']) {
  test(`${server}: ${N} GETs -> ${N} paired server and client events`, () => {
    const r = runApp('http-get.js', { EVENTS: '1', N: String(N), SERVER: server })
    assert.is(r.status, 0, r.stderr)
    const { urls, replies, events } = r.result
    assert.ok(replies.every((x: any, i: number) => x.status === 200 && x.body === 'ok ' + urls[i]), 'the app is undisturbed')
    const pick = (side: string, phase: string) => events.filter((e: any) => e.side === side && e.phase === phase)
    const sreq = pick('server', 'request'), sres = pick('server', 'response')
    assert.is(sreq.length, N)
    assert.is(sres.length, N)
    assert.equal(sreq.map((e: any) => e.url), urls)
    assert.ok(sreq.every((e: any) => e.method === 'GET'))
    for (let i = 0; i < N; i++) {
      assert.is(sres[i].requestId, sreq[i].requestId)
      assert.is(sres[i].status, 200)
      assert.ok(sres[i].durationNs > 0)
      assert.is(sres[i].route, server === 'express' ? '/item/:id' : undefined)
    }
    const creq = pick('client', 'request'), cres = pick('client', 'response')
    assert.is(creq.length, N)
    assert.is(cres.length, N)
    assert.equal(creq.map((e: any) => new URL(e.url).pathname + new URL(e.url).search), urls)
    assert.ok(cres.every((e: any, i: number) => e.requestId === creq[i].requestId && e.status === 200 && e.durationNs > 0))
    const ids = new Set(events.map((e: any) => e.requestId))
    assert.is(ids.size, 2 * N, 'one id per request, client and server ids distinct')
  })
}

test('no listener and no probe: the hook does not subscribe to diagnostics_channel', () => {
  const r = runApp('http-get.js', { N: '1', SERVER: 'http', PRINT_DC: '1' })
  assert.is(r.status, 0, r.stderr)
  assert.is(r.result.dcSubscribed, false)
  assert.is(r.result.events.length, 0)
})

test.run()
