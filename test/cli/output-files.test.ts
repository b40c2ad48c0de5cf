// What `-o` and stdout get: `sonde flame -o f.png` writes a PNG (its magic bytes) and an
// extension flame cannot write is refused before any work; callgraph refuses --output T into a
// file whose extension names another type; `sonde callgraph … | head -1` ends quietly when head
// closes the pipe (a real shell pipeline, the SVG larger than the pipe's 64 KiB buffer).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'

const root = path.resolve(__dirname, '..', '..')
const bin = path.join(root, 'bin', 'sonde.js')
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sonde-out-'))
const cpuprofile = path.join(root, 'test', 'fixtures', 'chrome', 'Chrome_65_simple.cpuprofile')
const callgrind = path.join(root, 'test', 'fixtures', 'callgrind', 'prog.callgrind')
const sonde = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { cwd: tmp, encoding: 'utf8', timeout: 120_000 })

const PNG_MAGIC = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])

function exit2OneLine(r: ReturnType<typeof sonde>, re: RegExp): void {
  assert.is(r.status, 2, r.stderr)
  const lines = r.stderr.trimEnd().split('\n')
  assert.is(lines.length, 1, r.stderr)
  assert.match(lines[0], re)
}

test('flame -o f.png writes a PNG; -o f.svg an SVG', () => {
  const png = path.join(tmp, 'f.png'), svg = path.join(tmp, 'f.svg')
  const r = sonde('flame', cpuprofile, '-o', png)
  assert.is(r.status, 0, r.stderr)
  const b = fs.readFileSync(png)
  assert.equal(b.subarray(0, 8), PNG_MAGIC)
  // IHDR: width and height of a real image
  assert.is(b.toString('latin1', 12, 16), 'IHDR')
  assert.ok(b.readUInt32BE(16) >= 100 && b.readUInt32BE(20) >= 10, `${b.readUInt32BE(16)}x${b.readUInt32BE(20)}`)
  const s = sonde('flame', cpuprofile, '-o', svg)
  assert.is(s.status, 0, s.stderr)
  assert.match(fs.readFileSync(svg, 'utf8'), /^<svg /)
})

test('flame -o with another extension: exit 2 naming .svg and .png, nothing written', () => {
  for (const name of ['f.jpg', 'f.pdf', 'noext']) {
    exit2OneLine(sonde('flame', cpuprofile, '-o', name), new RegExp(`-o ${name}: flame graphs are written as \\.svg or \\.png`))
    assert.not.ok(fs.existsSync(path.join(tmp, name)), name)
  }
})

test('callgraph: --output that contradicts -o\'s extension is refused; -o f.png alone writes a PNG', () => {
  exit2OneLine(sonde('callgraph', callgrind, '-o', 'g.png', '--output', 'svg'), /-o g\.png is not a svg file: its extension asks for png/)
  exit2OneLine(sonde('callgraph', callgrind, '-o', 'g.jpg', '--output', 'png'), /-o g\.jpg is not a png file: its extension asks for \.jpg/)
  assert.not.ok(fs.existsSync(path.join(tmp, 'g.png')))
  const r = sonde('callgraph', callgrind, '-o', 'g.png')
  assert.is(r.status, 0, r.stderr)
  assert.equal(fs.readFileSync(path.join(tmp, 'g.png')).subarray(0, 8), PNG_MAGIC)
})

test('callgraph --output svg | head -1: exit 0, no stack trace', () => {
  const big = sonde('callgraph', callgrind, '--output', 'svg')
  assert.ok(Buffer.byteLength(big.stdout) > 128 * 1024, `the SVG (${big.stdout.length} B) must outgrow the pipe buffer`)
  const cmd = `node ${JSON.stringify(bin)} callgraph ${JSON.stringify(callgrind)} --output svg | head -1; echo "status \${PIPESTATUS[0]}" >&2`
  const r = spawnSync('bash', ['-c', cmd], { cwd: tmp, encoding: 'utf8', timeout: 120_000, env: { ...process.env, PATH: `${path.dirname(process.execPath)}:${process.env.PATH}` } })
  assert.match(r.stdout, /^<\?xml /)
  assert.is(r.stdout.split('\n').filter(Boolean).length, 1)
  assert.is(r.stderr, 'status 0\n', r.stderr)
})

test.run()
