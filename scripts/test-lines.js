#!/usr/bin/env node
// Runs the whole suite on every supported Node line (scripts/node-lines.js), one line after the
// other: for each, the native addon is rebuilt against that line's headers and the tests run
// under that line's node (first on PATH, so tests that start `node` get it too). Prints each
// line's own "N passed, N failed" and, last, the total over all lines in the same form.
//   node scripts/test-lines.js [--lines 22,26] [test filters...]
'use strict'
const { spawn, spawnSync } = require('node:child_process')
const path = require('node:path')
const { LINES, lineDir } = require('./node-lines.js')

const root = path.resolve(__dirname, '..')
let args = process.argv.slice(2)
let lines = LINES
const at = args.indexOf('--lines')
if (at >= 0) {
  lines = String(args[at + 1] || '').split(',').filter(Boolean).map(Number)
  args = args.filter((_, i) => i !== at && i !== at + 1)
  if (!lines.length || lines.some((l) => !LINES.includes(l))) {
    process.stderr.write(`test-lines: --lines takes some of ${LINES.join(',')}\n`)
    process.exit(2)
  }
}

/** Runs a command, streaming its stdout through, and resolves with its exit and the last line it printed. */
function runStreaming(cmd, argv, opts) {
  return new Promise((resolve) => {
    const child = spawn(cmd, argv, { ...opts, stdio: ['ignore', 'pipe', 'inherit'] })
    let tail = ''
    child.stdout.on('data', (b) => { process.stdout.write(b); tail = (tail + b.toString('utf8')).slice(-4096) })
    child.on('close', (status, signal) => resolve({ status, signal, last: tail.split('\n').filter(Boolean).pop() || '' }))
  })
}

async function main() {
  let passed = 0, failed = 0, skipped = 0
  const rows = []
  for (const major of lines) {
    const dir = lineDir(major)
    const nodeBin = path.join(dir, 'bin', 'node')
    const env = { ...process.env, PATH: `${path.join(dir, 'bin')}:${process.env.PATH}`, npm_config_nodedir: dir }
    process.stdout.write(`\n## Node ${major} (${spawnSync(nodeBin, ['--version'], { encoding: 'utf8' }).stdout.trim()})\n`)
    const t0 = Date.now()
    const b = spawnSync(nodeBin, [path.join(root, 'scripts', 'build-native.js')], { cwd: root, env, stdio: 'inherit' })
    if (b.status !== 0) {
      failed += 1
      rows.push(`Node ${major}: native build failed`)
      continue
    }
    const r = await runStreaming(nodeBin, [path.join(root, 'scripts', 'run-tests.js'), ...args], { cwd: root, env })
    const m = /^(\d+) passed, (\d+) failed(?:, (\d+) skipped)?$/.exec(r.last)
    const secs = Math.round((Date.now() - t0) / 1000)
    if (!m) {
      failed += 1
      rows.push(`Node ${major}: no summary (exit ${r.status ?? r.signal}) in ${secs} s`)
      continue
    }
    passed += Number(m[1]); failed += Number(m[2]); skipped += Number(m[3] || 0)
    rows.push(`Node ${major}: ${m[1]} passed, ${m[2]} failed${m[3] ? `, ${m[3]} skipped` : ''} in ${secs} s`)
  }
  // Leave build/Release for the node that ran this script, as `npm install` left it.
  spawnSync(process.execPath, [path.join(root, 'scripts', 'build-native.js')], { cwd: root, stdio: 'ignore' })
  process.stdout.write(`\n${rows.join('\n')}\n`)
  process.stdout.write(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`)
  process.exitCode = failed ? 1 : 0
}

main()
