// Option errors raised by viz reach an HTTP client in the library's terms (the dashboard's query
// parameters are the API's option names), never as CLI flags: a metric the profile lacks and a
// focus that matches nothing answer 400 with the option named as the query names it.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { startDashboard, type Dashboard } from '../../web/server'

let d: Dashboard
let id = ''
test.before(async () => {
  d = await startDashboard({ port: 0, mode: 'standalone' })
  const r = await fetch(`${d.url}api/profiles?name=t.folded`, { method: 'POST', body: 'main;a;b 7\nmain;c 3\n' })
  id = (await r.json() as { id: string }).id
})
test.after(async () => { await d.close() })

async function error(query: string): Promise<{ status: number; error: string }> {
  const r = await fetch(`${d.url}api/profiles/${id}/callgraph.json?${query}`)
  return { status: r.status, error: (await r.json() as { error: string }).error }
}

test('a metric the profile lacks: 400 naming `metric`', async () => {
  assert.equal(await error('metric=bytes'), { status: 400, error: 'metric bytes: this profile measures samples; it has samples' })
  assert.equal(await error('metric=calls'), { status: 400, error: 'metric calls: this profile measures samples; it has samples' })
})

test('a focus that matches no function: 400 naming `focus`', async () => {
  assert.equal(await error('focus=zzz'), { status: 400, error: 'focus: no function named zzz in this profile' })
})

test('a good request still answers 200 (the errors above were about the options)', async () => {
  const r = await fetch(`${d.url}api/profiles/${id}/callgraph.json?metric=samples&focus=a&nodeThres=0`)
  assert.is(r.status, 200)
  const g = await r.json() as { nodes: { name: string }[] }
  assert.equal(g.nodes.map((n) => n.name).sort(), ['a', 'b', 'main'])
})

test.run()
