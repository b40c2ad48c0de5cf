// A sonde binary built for another Node major is never loaded: the loader reads the ABI the
// build embedded, passes the binary over, and the app runs on the no-native stub with one
// warning (main thread only, workers too load the addon) that says why and how to rebuild;
// `sonde probes` says the same. Loaded by hand anyway, the addon's own init refuses it with an
// error, before any V8 call. The other binary is built here, against the headers of another
// supported line (scripts/node-lines.js; the matrix run fetches every line).
import { execFileSync, spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { apps, dist, register, root } from './run-app'

const { LINES, lineDir } = require(path.join(root, 'scripts', 'node-lines.js')) as { LINES: number[]; lineDir(m: number): string }
const major = Number(process.versions.node.split('.')[0])
const other = LINES.find((l) => l !== major) as number
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sonde-abi-'))
let wrong = ''

test.before(() => {
  const dir = lineDir(other)
  for (const f of ['binding.gyp']) fs.copyFileSync(path.join(root, f), path.join(tmp, f))
  fs.cpSync(path.join(root, 'probes', 'native'), path.join(tmp, 'probes', 'native'), { recursive: true })
  const gyp = require.resolve('node-gyp/bin/node-gyp.js', { paths: [root] })
  const env = { ...process.env }
  delete env.npm_config_nodedir
  execFileSync(path.join(dir, 'bin', 'node'), [gyp, 'rebuild', '--release', `--nodedir=${dir}`], { cwd: tmp, env, stdio: 'ignore' })
  wrong = path.join(tmp, 'build', 'Release', 'sonde.node')
})

test.after(() => fs.rmSync(tmp, { recursive: true, force: true }))

test('a binary for another Node: one warning, the app runs with workers and exits with its code', () => {
  const r = spawnSync(process.execPath, ['-r', register, path.join(apps, 'exit-paths.js')], {
    encoding: 'utf8', timeout: 60_000, env: { ...process.env, SONDE_DIST: dist, MODE: 'workers', SONDE_COLLECT: '', SONDE_ADDON_PATH: wrong },
  })
  assert.is(r.status, 7, r.stderr)
  assert.match(r.stdout, /RESULT \{"addon":false,"codes":\[0,0\]\}/)
  const warnings = r.stderr.split('\n').filter((l) => /SONDE_ADDON_ABI/.test(l))
  assert.is(warnings.length, 1, r.stderr)
  assert.match(warnings[0], new RegExp(`built for Node ${other} .*this is Node ${process.versions.node.replace(/\./g, '\\.')}`))
  assert.match(warnings[0], /build-native\.js/)
})

test('sonde probes says why and how to rebuild', () => {
  const r = spawnSync(process.execPath, [path.join(root, 'bin', 'sonde.js'), 'probes'], {
    encoding: 'utf8', timeout: 60_000, env: { ...process.env, SONDE_ADDON_PATH: wrong },
  })
  assert.match(r.stdout + r.stderr, new RegExp(`addon: NOT LOADED \\(.*\\): .*built for Node ${other}.*build-native\\.js`))
})

test('loaded by hand anyway, the addon refuses at init (SONDE_ADDON_ABI), the host lives on', () => {
  const code = `try { require(${JSON.stringify(wrong)}); console.log('loaded') } catch (e) { console.log('refused', e.code, e.message) }`
  const r = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8', timeout: 60_000 })
  assert.is(r.status, 0, r.stderr)
  assert.match(r.stdout, new RegExp(`^refused SONDE_ADDON_ABI sonde: native addon built for Node ${other} `))
})

test('the binary this Node builds carries its ABI', () => {
  const { builtAbi, locateNative } = require(path.join(dist, 'probes', 'native-path.js'))
  const found = locateNative('sonde')
  assert.ok(found.file, JSON.stringify(found.passed))
  assert.is(builtAbi(found.file), Number(process.versions.modules))
  assert.is.not(builtAbi(wrong), Number(process.versions.modules))
})

test.run()
