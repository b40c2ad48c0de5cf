// sonde as a user gets it: the tarball `npm pack` makes (what the registry would serve),
// installed into a fresh app with no compiler (CC/CXX unusable) and no install scripts approved.
// It must carry dist/, the prebuilt binaries and no tests; install with nothing to build or
// approve; load its native probes from the prebuilt binary for this Node; run an app with
// workers under -r sonde/register to its own exit code; answer through its bin; and fire a USDT
// probe that real bpftrace counts. SONDE_PACKED_TGZ names a tarball packed already (the matrix
// run packs once); otherwise this test packs (prepack: compile + prebuilds for every line).
import { execFileSync, spawn, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { startBpftrace } from '../support/bpftrace'
import { missing } from '../support/system'

const root = path.resolve(__dirname, '..', '..')
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sonde-pack-'))
const app = path.join(tmp, 'app')
const abi = process.versions.modules
let tgz = process.env.SONDE_PACKED_TGZ ?? ''

const APP = `'use strict'
const { Worker, isMainThread } = require('node:worker_threads')
if (!isMainThread) { let a = []; for (let i = 0; i < 3e5; i++) { a.push({ i }); if (a.length > 1e4) a = [] } }
else {
  process.stdout.write('READY\\n')
  process.stdin.once('data', () => {
    let a = []; for (let i = 0; i < 1e6; i++) { a.push({ i }); if (a.length > 1e4) a = [] }
    global.gc && global.gc()
    new Worker(__filename).on('exit', (c) => { console.log('worker exit ' + c); process.stdin.pause(); process.exitCode = 3 })
  })
}
`

test.before(() => {
  if (!tgz) {
    const out = execFileSync('npm', ['pack', '--silent', '--pack-destination', tmp], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] })
    tgz = path.join(tmp, out.trim().split('\n').pop() as string)
  }
  fs.mkdirSync(app)
  fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }))
  fs.writeFileSync(path.join(app, 'app.js'), APP)
})

test.after(() => fs.rmSync(tmp, { recursive: true, force: true }))

test('the tarball holds dist/, a prebuilt binary per line, no tests, no install script', () => {
  const list = execFileSync('tar', ['tzf', tgz], { encoding: 'utf8' }).split('\n')
  assert.ok(list.includes('package/dist/register.js'))
  assert.ok(list.includes('package/dist/web/client/app.js'))
  assert.ok(list.includes('package/bin/sonde.js'))
  for (const a of ['127', '137', '147']) assert.ok(list.includes(`package/prebuilds/linux-x64/sonde.abi${a}.node`), `abi ${a}`)
  assert.ok(list.includes('package/prebuilds/linux-x64/sonde_dyn.napi.node'))
  assert.ok(list.some((f) => /^package\/bpftrace\/oneliners\/[\w-]+\.bt$/.test(f)), 'the one-liners')
  assert.not.ok(list.some((f) => /^package\/(test|bench|build)\//.test(f)), 'no tests, benches or local builds')
  const pkg = JSON.parse(execFileSync('tar', ['xzOf', tgz, 'package/package.json'], { encoding: 'utf8' }))
  for (const s of ['preinstall', 'install', 'postinstall']) assert.not.ok(pkg.scripts?.[s], `${s} script`)
  assert.is(pkg.gypfile, false)
})

test('installs into a fresh app with no compiler and no scripts approved', () => {
  const r = spawnSync('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tgz], {
    cwd: app, encoding: 'utf8', timeout: 300_000, env: { ...process.env, CC: '/bin/false', CXX: '/bin/false', npm_config_nodedir: '' },
  })
  assert.is(r.status, 0, r.stderr)
  assert.not.match(r.stderr, /install-scripts|allowScripts|gyp/i)
  assert.ok(fs.existsSync(path.join(app, 'node_modules', 'sonde', 'dist', 'register.js')))
  assert.not.ok(fs.existsSync(path.join(app, 'node_modules', 'sonde', 'build')), 'nothing was built')
})

test('its bin answers, and its native probes load from the prebuilt binary', () => {
  const r = spawnSync(path.join(app, 'node_modules', '.bin', 'sonde'), ['probes'], { cwd: app, encoding: 'utf8', timeout: 60_000 })
  assert.is(r.status, 0, r.stderr)
  assert.match(r.stdout, new RegExp(`addon: .*node_modules/sonde/prebuilds/linux-x64/sonde\\.abi${abi}\\.node`))
  assert.match(r.stdout, /dynamic providers: available/)
})

test('-r sonde/register: an app with a worker runs to its own exit code; bpftrace counts its GCs', async () => {
  const why = missing('root', 'bpftrace', 'tracefs')
  const child = spawn(process.execPath, ['--expose-gc', '-r', 'sonde/register', 'app.js'], { cwd: app, stdio: ['pipe', 'pipe', 'pipe'] })
  let out = '', err = ''
  child.stdout.on('data', (b) => { out += b })
  child.stderr.on('data', (b) => { err += b })
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()))
  const lib = path.join(app, 'node_modules', 'sonde', 'prebuilds', 'linux-x64', `sonde.abi${abi}.node`)
  let bt
  if (!why) {
    assert.match(fs.readFileSync(`/proc/${child.pid}/maps`, 'utf8'), lib)
    bt = startBpftrace(`usdt:${lib}:sonde:gc__done { @gcs = count(); }`, { pid: child.pid })
    await bt.ready
  }
  child.stdin.write('go\n')
  const code = await Promise.race([exited, new Promise<string>((r) => setTimeout(() => r('hung'), 60_000).unref())])
  if (code === 'hung') child.kill('SIGKILL')
  assert.is(code, 3, err)
  assert.match(out, /worker exit 0/)
  if (bt) {
    const res = await bt.exited()
    const n = Number(/@gcs: (\d+)/.exec(res.text)?.[1] ?? 0)
    assert.ok(n >= 2, `gc__done fired ${n} times: ${res.text}`)
  } else console.log(`  (bpftrace part skipped: ${why})`)
})

test.run()
