// The function-trace table (`sonde callgraph TRACE --output txt`) tells anonymous route handlers
// apart by file:line: a real express app traced by `sonde run --trace-functions`. Truth: the
// handlers' lines in the fixture and the number of requests the fixture makes to each. Every
// function is shown (--node-thres 0): the default 0.5 % hid /b's handler whenever the five
// calls take less than that of the run, which the awaits of the fetch loop mostly fill.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

const root = path.resolve(__dirname, '../..')
const app = path.join(__dirname, 'apps/anon-routes.js')
const sonde = path.join(root, 'bin/sonde.js')

test('(anonymous) route handlers carry file:line and their own call counts', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sonde-anon-'))
  try {
    const trace = path.join(dir, 'trace.json')
    execFileSync(process.execPath, [sonde, 'run', '--trace-functions', app, '--trace-out', trace, '--', process.execPath, app], { cwd: root, stdio: 'pipe', timeout: 60_000 })
    const table = execFileSync(process.execPath, [sonde, 'callgraph', trace, '--output', 'txt', '--node-thres', '0'], { encoding: 'utf8' })
    const lines = fs.readFileSync(app, 'utf8').split('\n')
    const lineOf = (route: string) => lines.findIndex((l) => l.startsWith(`app.get('${route}'`)) + 1
    // The function's own line of the table: "* (anonymous) anon-routes.js:N   CNT ...".
    const own = (route: string) => new RegExp(`^\\* \\(anonymous\\) anon-routes\\.js:${lineOf(route)}\\s+(\\d+)\\s`, 'm').exec(table)?.[1]
    assert.is(own('/a'), '7', `handler of /a at line ${lineOf('/a')}:\n${table}`)
    assert.is(own('/b'), '5', `handler of /b at line ${lineOf('/b')}:\n${table}`)
  } finally { fs.rmSync(dir, { recursive: true, force: true }) }
})

test.run()
