// A CPU profile recorded from the dashboard of a TypeScript app run by tsx names each function
// at its line in the .ts source, as the function tracer does: V8 reports positions in the code
// tsx compiled, and the recorder maps them through the source map Node holds for the module.
// Truth: the lines of the declarations in the fixture's source. Then the app, its work done,
// exits by itself: the recording and the profile worker keep nothing alive.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { TEST_TOKEN, testAuth } from '../support/system'

const root = path.resolve(__dirname, '../..')
const app = path.join(__dirname, 'support/tsx-app.ts')
const tsx = path.join(root, 'node_modules/tsx/dist/esm/index.mjs')

const lineOf = (fn: string) => fs.readFileSync(app, 'utf8').split('\n').findIndex((l) => l.startsWith(`function ${fn}(`)) + 1

test('recorded profile of a tsx app: functions at their .ts lines; the app still exits when its work ends', async () => {
  const c = spawn(process.execPath, ['--import', tsx, '-r', path.join(root, 'dist/register.js'), app], {
    env: { ...process.env, SONDE_DASHBOARD: '0', SONDE_TOKEN: TEST_TOKEN, NODE_DEBUG: 'sonde', RUN_MS: '4000' }, stdio: ['ignore', 'pipe', 'pipe'],
  })
  try {
    // NODE_DEBUG=sonde: the in-process dashboard says where it listens.
    const url = await new Promise<string>((resolve, reject) => {
      let err = ''
      const timer = setTimeout(() => reject(new Error(`no dashboard URL in 30 s: ${err}`)), 30_000)
      c.stderr!.on('data', (d) => { err += d; const m = /dashboard on (http:\/\/127\.0\.0\.1:\d+)\//.exec(err); if (m) { clearTimeout(timer); resolve(m[1]) } })
      c.on('exit', (code) => reject(new Error(`app exited ${code}: ${err}`)))
    })
    const info = await (await fetch(`${url}/api/record?seconds=1.5`, { method: 'POST', headers: testAuth })).json() as { id: string }
    const g = await (await fetch(`${url}/api/profiles/${info.id}/callgraph.json?nodeThres=0&budget=0`, { headers: testAuth })).json() as { nodes: { name: string; file?: string; line?: number }[] }
    const at = (fn: string) => g.nodes.filter((n) => n.name === fn).map((n) => `${path.basename(n.file ?? '')}:${n.line}`)
    console.log(`  spinLoop ${at('spinLoop')}, outerCall ${at('outerCall')}`)
    assert.equal(at('spinLoop'), [`tsx-app.ts:${lineOf('spinLoop')}`])
    assert.equal(at('outerCall'), [`tsx-app.ts:${lineOf('outerCall')}`])
    // Its interval over, the app has nothing left: it must exit (30 s is only a safety net).
    const code = await new Promise<number | string | null>((r) => {
      if (c.exitCode !== null) return r(c.exitCode)
      const timer = setTimeout(() => r('still running 30 s later'), 30_000)
      c.on('exit', (code) => { clearTimeout(timer); r(code) })
    })
    assert.is(code, 0, 'the app exits by itself after a recording')
  } finally {
    if (c.exitCode === null) c.kill()
  }
})

test.run()
