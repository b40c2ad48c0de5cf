#!/usr/bin/env node
// Runs every test/**/*.test.ts in its own Node process (tsx loader), so probe and
// hook tests never share a process, then sums uvu's totals into the line CI reads:
// "N passed, N failed". A file that crashes or prints no totals counts as one failure.
'use strict'
const { spawnSync } = require('node:child_process')
const fs = require('node:fs')
const path = require('node:path')

const root = path.resolve(__dirname, '..')
const filter = process.argv.slice(2)
const perFileTimeoutMs = Number(process.env.SONDE_TEST_TIMEOUT_MS || 15 * 60 * 1000)

function findTests(dir, out) {
  for (const ent of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, ent.name)
    if (ent.isDirectory()) {
      if (ent.name !== 'fixtures' && ent.name !== 'golden' && ent.name !== 'artifacts') findTests(p, out)
    } else if (ent.name.endsWith('.test.ts')) out.push(p)
  }
  return out
}

let files = findTests(path.join(root, 'test'), []).sort()
if (filter.length) files = files.filter((f) => filter.some((s) => f.includes(s)))

let passed = 0, failed = 0, skipped = 0
const failures = []
for (const file of files) {
  const rel = path.relative(root, file)
  process.stdout.write(`\n# ${rel}\n`)
  const t0 = Date.now()
  const r = spawnSync(process.execPath, ['--import', 'tsx', file], {
    cwd: root, encoding: 'utf8', timeout: perFileTimeoutMs, maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, FORCE_COLOR: '0', NO_COLOR: '1' },
  })
  const out = (r.stdout || '') + (r.stderr || '')
  process.stdout.write(out)
  const total = /Total:\s+(\d+)/.exec(out), pass = /Passed:\s+(\d+)/.exec(out), skip = /Skipped:\s+(\d+)/.exec(out)
  const secs = ((Date.now() - t0) / 1000).toFixed(1)
  if (!total || !pass) {
    failed += 1
    failures.push(`${rel}: no uvu totals (exit ${r.status}${r.signal ? ', signal ' + r.signal : ''}${r.error ? ', ' + r.error.message : ''})`)
    continue
  }
  const t = Number(total[1]), p = Number(pass[1]), s = skip ? Number(skip[1]) : 0
  passed += p; skipped += s
  const f = t - p - s
  if (f > 0 || r.status !== 0) {
    const n = Math.max(f, 1)
    failed += n
    failures.push(`${rel}: ${n} failed (exit ${r.status})`)
  }
  process.stdout.write(`# ${rel}: ${p}/${t} passed in ${secs}s\n`)
}
if (failures.length) process.stdout.write('\nFailures:\n' + failures.map((l) => '  ' + l).join('\n') + '\n')
process.stdout.write(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}\n`)
process.exit(failed ? 1 : 0)
