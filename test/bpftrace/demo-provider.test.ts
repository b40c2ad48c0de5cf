// The demo's own USDT provider under real bpftrace: the user-provider one-liner (as `sonde
// trace` runs it) against the demo app in this process, while the test sends a known number
// of requests (17 hello, 7 hash jobs, 5 unknown routes = 29). The fires per probe must equal
// what the test sent and what the demo counted itself. Then `sonde trace user-provider` on
// this process: a provider it does not have is named as missing, with the ones it has.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawnSync } from 'node:child_process'
import http from 'node:http'
import path from 'node:path'
import { missing, TEST_TOKEN } from '../support/system'

const skip = missing('root', 'bpftrace')
const root = path.resolve(__dirname, '..', '..')
const sonde = (...args: string[]) => spawnSync(process.execPath, [path.join(root, 'bin', 'sonde.js'), ...args], { encoding: 'utf8', timeout: 60_000 })

function get(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode ?? 0)) }).on('error', reject)
  })
}

if (skip) test.skip(`the demo provider under bpftrace (${skip})`, () => {})
else {
  test('user-provider --provider demo counts every request and job the demo served', async () => {
    process.env.SONDE_TOKEN = TEST_TOKEN
    const { startDemo } = await import('../../examples/demo/run-demo')
    const { runOneLiner } = await import('../../bpftrace/bridge')
    const demo = await startDemo({ port: 0, load: false })
    try {
      let ready!: () => void
      const attached = new Promise<void>((r) => { ready = r })
      const run = runOneLiner('user-provider', process.pid, { provider: 'demo', onReady: () => ready() })
      await Promise.race([attached, run.result.then((r) => { throw new Error(`bpftrace ended before attaching: ${r.stderr}`) })])
      const statuses: number[] = []
      for (let i = 0; i < 17; i++) statuses.push(await get(`${demo.appUrl}api/hello`))
      for (let i = 0; i < 7; i++) statuses.push(await get(`${demo.appUrl}api/hash`))
      for (let i = 0; i < 5; i++) statuses.push(await get(`${demo.appUrl}api/nope-${i}`))
      assert.equal(statuses.filter((s) => s === 200).length, 24)
      assert.equal(statuses.filter((s) => s === 404).length, 5)
      run.stop()
      const r = await run.result
      const fires: Record<string, number> = {}
      for (const [k, v] of Object.entries(r.maps['@fires'] as Record<string, number>)) {
        const name = k.replace(/^.*:demo:/, '')
        fires[name] = (fires[name] ?? 0) + v
      }
      const own = demo.counts()
      assert.is(own.requests, 29, 'the demo counted what the test sent')
      assert.is(own.jobs, 7)
      assert.equal(fires, { request__start: 29, request__done: 29, job__start: 7, job__done: 7 })
    } finally { await demo.close() }
  })

  test('sonde trace user-provider: a provider the process lacks is named, --provider is required', async () => {
    // this process has sonde loaded (the demo above) and no provider 'nosuch'
    const { createProvider } = await import('../../index')
    const p = createProvider('othertest')
    p.probe('tick', ['i32'])
    p.enable()
    try {
      const r = sonde('trace', 'user-provider', '--pid', String(process.pid), '--provider', 'nosuch', '--duration', '1')
      assert.is(r.status, 2, r.stderr)
      assert.is(r.stderr.trimEnd().split('\n').length, 1, r.stderr)
      assert.match(r.stderr, new RegExp(`^sonde trace: process ${process.pid} has no USDT provider 'nosuch' \\(its user providers: .*\\bothertest\\b.*; sonde probes --pid ${process.pid} lists them\\)\\n$`))
      const none = sonde('trace', 'user-provider', '--pid', String(process.pid))
      assert.is(none.status, 2)
      assert.match(none.stderr, /user-provider needs --provider NAME/)
    } finally { p.dispose() }
  })
}

test.run()
