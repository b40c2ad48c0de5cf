// Profile API without a browser: upload → server-side import through the viz registry
// (sniffed by content), call graph SVG/JSON, flame tree, the four exports, bad input → 400 with
// the importer's one-line reason, and the record route producing a real CPU profile.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import fs from 'node:fs'
import path from 'node:path'
import { startDashboard, type Dashboard } from '../../web/server'
import { root } from './support/demo-child'
import v8 from 'node:v8'

let d: Dashboard
test.before(async () => { d = await startDashboard({ port: 0, mode: 'standalone' }) })
test.after(async () => { await d.close() })

async function upload(name: string, body: string | Buffer): Promise<Response> {
  return fetch(`${d.url}api/profiles?name=${encodeURIComponent(name)}`, { method: 'POST', body })
}

test('folded upload: exact call graph JSON, flame tree, exports', async () => {
  // 23 samples a;b;c, 7 a;d, 3 a (prime counts: a 33 inclusive, c 23 self).
  const res = await upload('known.txt', 'a;b;c 23\na;d 7\na 3\n')
  assert.is(res.status, 201)
  const info = await res.json() as { id: string; format: string }
  assert.is(info.format, 'folded', 'sniffed by content, not by name')
  const g = await (await fetch(`${d.url}api/profiles/${info.id}/callgraph.json?nodeThres=0&edgeThres=0`)).json() as { total: number; nodes: { name: string; self: number; total: number }[] }
  assert.is(g.total, 33)
  const by = Object.fromEntries(g.nodes.map((n) => [n.name, n]))
  assert.equal([by.a.total, by.a.self, by.b.total, by.c.self, by.d.self], [33, 3, 23, 23, 7])
  const flame = await (await fetch(`${d.url}api/profiles/${info.id}/flame.json`)).json() as { total: number; root: { c: { n: string; v: number; c: { n: string }[] }[] } }
  assert.is(flame.total, 33)
  assert.is(flame.root.c[0].n, 'a')
  assert.equal(flame.root.c[0].c.map((x) => x.n).sort(), ['b', 'd'])
  const svg = await fetch(`${d.url}api/profiles/${info.id}/callgraph.svg`)
  assert.is(svg.headers.get('content-type'), 'image/svg+xml; charset=utf-8')
  assert.match(await svg.text(), /<svg[\s\S]*class="node"/)
  const focus = await (await fetch(`${d.url}api/profiles/${info.id}/callgraph.json?focus=d&nodeThres=0`)).json() as { nodes: { name: string }[] }
  assert.equal(focus.nodes.map((n) => n.name).sort(), ['a', 'd'], 'focus keeps d with its callers and callees')
  const exp = async (f: string) => { const r = await fetch(`${d.url}api/profiles/${info.id}/export.${f}`); assert.is(r.status, 200, f); return [r.headers.get('content-disposition'), await r.text()] as const }
  const [dotName, dot] = await exp('dot')
  assert.is(dotName, 'attachment; filename="known.dot"')
  assert.match(dot, /^digraph /)
  assert.is((await exp('folded'))[1], 'a 3\na;b;c 23\na;d 7\n')
  assert.match((await exp('svg'))[1], /<svg/)
  assert.is((JSON.parse((await exp('json'))[1]) as { total: number }).total, 33)
  assert.is((await fetch(`${d.url}api/profiles/${info.id}/export.exe`)).status, 400)
})

test('bad input answers 400 with one line; the server runs on', async () => {
  const cases: [string, string | Buffer, RegExp][] = [
    ['empty.cpuprofile', '', /empty upload/],
    ['junk.bin', Buffer.from([0, 1, 2, 255, 254, 0, 7]), /junk\.bin/],
    ['trunc.cpuprofile', '{"nodes":[{"id":1,"callFrame":{"functionName":"a"', /trunc\.cpuprofile/],
  ]
  for (const [name, body, re] of cases) {
    const r = await upload(name, body)
    assert.is(r.status, 400, name)
    const e = await r.json() as { error: string }
    assert.match(e.error, re)
    assert.not.match(e.error, /\n| {4}at /)
  }
  assert.is((await fetch(`${d.url}api/profiles/p999/callgraph.svg`)).status, 400)
  assert.is((await fetch(`${d.url}api/profiles/p1/callgraph.svg?metric=bogus`)).status, 400)
  assert.is((await fetch(`${d.url}api/status`)).status, 200)
})

test('the XSS fixture is stored with its names intact and SVG-escaped', async () => {
  const r = await upload('xss.cpuprofile', fs.readFileSync(path.join(root, 'test/fixtures/xss/xss.cpuprofile')))
  const { id } = await r.json() as { id: string }
  const svg = await (await fetch(`${d.url}api/profiles/${id}/callgraph.svg`)).text()
  assert.not.match(svg, /<img|<script>|<svg onload/)
  assert.match(svg, /&lt;img src=x onerror=alert\(1\)&gt;/)
})

test('record: a CPU profile of this process, imported as a cpuprofile', async () => {
  // burn is never optimized, so never inlined: on Node 22 and 24 V8's profiler charges much of
  // an inlined callee's samples to its caller, and burn would vanish into the loop that calls it
  // (the inlining size flags set here before did not always hold: once, no burn sample at all).
  v8.setFlagsFromString('--allow-natives-syntax')
  let spin = true
  // A declaration, so V8 names it even with tsx's keepNames wrapper around arrows.
  function burn(): number { let x = 0; for (let i = 0; i < 2e5; i++) x += Math.sqrt(i); return x }
  ;(new Function('f', '%NeverOptimizeFunction(f)') as (f: () => number) => void)(burn)
  const loop = () => { if (spin) { burn(); setImmediate(loop) } }
  loop()
  const r = await fetch(`${d.url}api/record?seconds=0.5`, { method: 'POST' })
  spin = false
  assert.is(r.status, 201)
  const info = await r.json() as { id: string; format: string; source: string }
  assert.equal([info.format, info.source], ['cpuprofile', 'record'])
  const g = await (await fetch(`${d.url}api/profiles/${info.id}/callgraph.json?nodeThres=0`)).json() as { nodes: { name: string }[] }
  assert.ok(g.nodes.some((n) => n.name === 'burn'), `the busy function is in the recorded profile: ${g.nodes.map((n) => n.name).slice(0, 30)}`)
  assert.is((await fetch(`${d.url}api/record?seconds=999`, { method: 'POST' })).status, 400)
})

test.run()
