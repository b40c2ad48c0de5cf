// The dashboard's bounds: uploads over maxUploadBytes are 413 with one JSON line; a job over
// jobTimeoutMs or a worker over its heap ends the profile worker (503, one line) while this
// process serves on and the next job gets a fresh worker; at most maxClients event streams;
// profile data is Cache-Control: no-store.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { startDashboard } from '../../web/server'

const FOLDED = 'a;b;c 23\na;d 7\na 3\n'

async function status(url: string) {
  return (await (await fetch(`${url}api/status`)).json() as { profileWorker: { workersStarted: number; alive: boolean } }).profileWorker
}

test('upload cap: 413, one JSON line, nothing stored', async () => {
  const d = await startDashboard({ port: 0, mode: 'standalone', env: {}, maxUploadBytes: 1000 })
  try {
    const res = await fetch(`${d.url}api/profiles?name=big.folded`, { method: 'POST', body: 'a;b 1\n'.repeat(500) })
    assert.is(res.status, 413)
    assert.equal(await res.json(), { error: 'request body too large' })
    assert.equal(await (await fetch(`${d.url}api/profiles`)).json(), [])
    assert.is((await fetch(`${d.url}api/profiles?name=ok.folded`, { method: 'POST', body: FOLDED })).status, 201)
  } finally { await d.close() }
})

test('a job over its time ends the worker (503); the next job runs in a new one', async () => {
  const d = await startDashboard({ port: 0, mode: 'standalone', env: {}, jobTimeoutMs: 1 })
  try {
    const res = await fetch(`${d.url}api/profiles?name=x.folded`, { method: 'POST', body: FOLDED })
    assert.is(res.status, 503)
    assert.match((await res.json() as { error: string }).error, /^the profile worker took longer than 0\.001 s and was stopped; the profiles it held are gone$/)
    assert.is((await fetch(`${d.url}api/status`)).status, 200, 'this process serves on')
    const again = await fetch(`${d.url}api/profiles?name=x.folded`, { method: 'POST', body: FOLDED })
    assert.is(again.status, 503)
    assert.is((await status(d.url)).workersStarted, 2, 'a fresh worker per job after a stop')
  } finally { await d.close() }
})

test('a worker over its heap ends (503, one line); this process is untouched', async () => {
  const d = await startDashboard({ port: 0, mode: 'standalone', env: {}, maxHeapMb: 24 })
  try {
    const lines: string[] = []
    for (let i = 0; i < 120_000; i++) lines.push(`main;f${i};g${i % 977};h${i % 13} ${i + 1}`)
    const heapBefore = process.memoryUsage().heapUsed
    const res = await fetch(`${d.url}api/profiles?name=huge.folded`, { method: 'POST', body: lines.join('\n') })
    assert.is(res.status, 503, await res.clone().text())
    assert.match((await res.json() as { error: string }).error, /^the profile worker ran out of its 24 MB heap; the profiles it held are gone$/)
    assert.ok(process.memoryUsage().heapUsed - heapBefore < 64 * 1024 * 1024, 'the import ran elsewhere')
    assert.is((await fetch(`${d.url}api/profiles?name=ok.folded`, { method: 'POST', body: FOLDED })).status, 201, 'next job: a new worker')
  } finally { await d.close() }
})

test('at most maxClients event streams; a closed one frees its place', async () => {
  const d = await startDashboard({ port: 0, mode: 'standalone', env: {}, maxClients: 3 })
  const ctl = [new AbortController(), new AbortController(), new AbortController()]
  try {
    for (const c of ctl) assert.is((await fetch(`${d.url}api/stream`, { signal: c.signal })).status, 200)
    const over = await fetch(`${d.url}api/stream`)
    assert.is(over.status, 503)
    assert.equal(await over.json(), { error: 'too many open streams: close another tab' })
    ctl[0].abort()
    for (let i = 0; i < 50 && ((await (await fetch(`${d.url}api/status`)).json()) as { streamClients: number }).streamClients > 2; i++) await new Promise((r) => setTimeout(r, 20))
    const again = new AbortController()
    assert.is((await fetch(`${d.url}api/stream`, { signal: again.signal })).status, 200)
    again.abort()
  } finally { for (const c of ctl) c.abort(); await d.close() }
})

test('profile data and every API answer are Cache-Control: no-store', async () => {
  const d = await startDashboard({ port: 0, mode: 'standalone', env: {} })
  try {
    const { id } = await (await fetch(`${d.url}api/profiles?name=k.folded`, { method: 'POST', body: FOLDED })).json() as { id: string }
    for (const r of ['profiles', `profiles/${id}/callgraph.svg`, `profiles/${id}/callgraph.json`, `profiles/${id}/flame.json`, `profiles/${id}/export.folded`, 'processes', 'status']) {
      const res = await fetch(`${d.url}api/${r}`)
      assert.is(res.status, 200, r)
      assert.is(res.headers.get('cache-control'), 'no-store', r)
    }
    assert.is((await fetch(`${d.url}metrics`)).headers.get('cache-control'), 'no-store')
  } finally { await d.close() }
})

test.run()
