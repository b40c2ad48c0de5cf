#!/usr/bin/env node
// `npm test`'s lint step: ESLint (flat config, eslint.config.mjs) over the whole tree. ESLint and
// typescript-eslint live in tools/lint/ with their own TypeScript 6 (typescript-eslint needs
// TypeScript's JS API; the project compiles with TypeScript 7, and npm will not hold both in one
// tree), installed there from its lockfile on first use. Exit 1 with ESLint's report on a problem.
'use strict'
const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')

const root = path.resolve(__dirname, '..')
const tools = path.join(root, 'tools', 'lint')
const eslintBin = path.join(tools, 'node_modules', 'eslint', 'bin', 'eslint.js')

if (!fs.existsSync(eslintBin)) {
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm'
  const r = spawnSync(npm, ['ci', '--prefix', tools, '--no-audit', '--no-fund', '--loglevel=error'], { stdio: 'inherit' })
  if (r.status !== 0) { process.stderr.write('lint: cannot install tools/lint (npm ci --prefix tools/lint)\n'); process.exit(1) }
}
const r = spawnSync(process.execPath, [eslintBin, '--max-warnings', '0', ...process.argv.slice(2)], { cwd: root, stdio: 'inherit' })
process.exit(r.status ?? 1)
