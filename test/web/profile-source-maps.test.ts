// The dashboard's profile explorer on uploads: a CPU profile of a minified esbuild bundle
// whose script and map are on this machine is remapped at upload (original TypeScript
// names and file:line, as `sonde callgraph` shows them); a gzipped pprof upload is read.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import fs from 'node:fs'
import { tmpdir } from 'node:os'
import path from 'node:path'
import { startDashboard, type Dashboard } from '../../web/server'
import { importProfileFile } from '../../viz/importers'
import { toPprof } from '../../viz/writers/pprof-writer'
import { bundleAndProfile, truth } from '../support/bundled-profile'

let d: Dashboard
const tmp = fs.mkdtempSync(path.join(tmpdir(), 'sonde-web-maps-'))
test.before(async () => { d = await startDashboard({ port: 0, mode: 'standalone' }) })
test.after(async () => { await d.close(); fs.rmSync(tmp, { recursive: true, force: true }) })

async function upload(name: string, body: Buffer): Promise<{ id: string; format: string }> {
  const res = await fetch(`${d.url}api/profiles?name=${encodeURIComponent(name)}`, { method: 'POST', body })
  assert.is(res.status, 201, await res.clone().text())
  return await res.json() as { id: string; format: string }
}

async function nodes(id: string): Promise<{ name: string; file?: string; line?: number; total: number }[]> {
  const g = await (await fetch(`${d.url}api/profiles/${id}/callgraph.json?nodeThres=0&edgeThres=0&budget=0`)).json() as { nodes: { name: string; file?: string; line?: number; total: number }[] }
  return g.nodes
}

test('cpuprofile of a bundle with its map on disk: original names and file.ts:line', async () => {
  const run = bundleAndProfile(path.join(tmp, 'linked'), 'linked')
  const info = await upload('bundle.cpuprofile', fs.readFileSync(run.profile))
  assert.is(info.format, 'cpuprofile')
  const got = await nodes(info.id)
  for (const [name, at] of truth()) {
    const n = got.find((x) => x.name === name)
    assert.ok(n, `${name} in ${got.map((x) => x.name).join(', ')}`)
    assert.equal([path.basename(n!.file ?? ''), n!.line], [at.file, at.line], name)
  }
})

test('gzipped pprof upload: sniffed, same whole as the cpuprofile it came from', async () => {
  const file = path.join(__dirname, '../fixtures/node/selfgen_node20_cpu-prof.cpuprofile')
  const cpu = await upload('a.cpuprofile', fs.readFileSync(file))
  const pprof = await upload('a.pb.gz', toPprof(await importProfileFile(file)))
  assert.is(pprof.format, 'pprof')
  const top = async (id: string) => Math.max(...(await nodes(id)).map((n) => n.total))
  assert.is(await top(pprof.id), (await top(cpu.id)) * 1000)
})

test.run()
