// `sonde callgraph` / `sonde flame` end to end through the built CLI (dist/, as npm test builds it).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const root = join(__dirname, '..', '..')
const bin = join(root, 'bin', 'sonde.js')
const fx = join(root, 'test', 'fixtures')
const recursion = join(fx, 'stackcollapse', 'recursion.txt')
const cpu = join(fx, 'node', 'selfgen_node20_cpu-prof.cpuprofile')
const tmp = mkdtempSync(join(tmpdir(), 'sonde-cg-'))

function sonde(args: string[], input?: string) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd: tmp, input: input === undefined ? undefined : Buffer.from(input), timeout: 180_000 })
  return { code: r.status, out: r.stdout, err: r.stderr.toString('utf8') }
}

function expectUsage(args: string[], re: RegExp, input?: string) {
  const r = sonde(args, input)
  assert.is(r.code, 2, `exit code for ${args.join(' ')}: ${r.err}`)
  const lines = r.err.trimEnd().split('\n')
  assert.is(lines.length, 1, `one line: ${r.err}`)
  assert.match(lines[0], re)
  assert.not.match(r.err, /\n\s+at /, 'no stack trace')
}

test('dot to stdout by default; json/txt by --output; recursion gives 90 %', () => {
  const dot = sonde(['callgraph', recursion])
  assert.is(dot.code, 0, dot.err)
  assert.match(dot.out.toString(), /^digraph callgraph \{/)
  const j = JSON.parse(sonde(['callgraph', recursion, '--output', 'json']).out.toString())
  const a = j.nodes.find((n: { name: string }) => n.name === 'a')
  assert.is(a.total / j.total, 0.9)
  assert.match(sonde(['callgraph', recursion, '--output', 'txt']).out.toString(), /\* a\s+-\s+9 samples\s+1 sample\s+90\.0 %/)
})

test('output type from -o extension: svg and png files', () => {
  const svg = sonde(['callgraph', cpu, '-o', 'g.svg'])
  assert.is(svg.code, 0, svg.err)
  assert.match(readFileSync(join(tmp, 'g.svg'), 'utf8'), /<svg[\s\S]*class="node"/)
  const png = sonde(['callgraph', cpu, '-o', 'g.png'])
  assert.is(png.code, 0, png.err)
  assert.equal([...readFileSync(join(tmp, 'g.png')).subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
  assert.is(sonde(['callgraph', recursion, '-o', 'g.json']).code, 0)
  assert.is(JSON.parse(readFileSync(join(tmp, 'g.json'), 'utf8')).total, 10)
})

test('stdin with -', () => {
  const r = sonde(['callgraph', '-', '--output', 'json'], readFileSync(recursion, 'utf8'))
  assert.is(r.code, 0, r.err)
  assert.is(JSON.parse(r.out.toString()).total, 10)
})

test('bad input and bad options: exit 2, one line naming the file / option', () => {
  writeFileSync(join(tmp, 'empty.txt'), '')
  writeFileSync(join(tmp, 'junk.bin'), Buffer.from([0, 1, 2, 3, 255, 254]))
  writeFileSync(join(tmp, 'trunc.cpuprofile'), readFileSync(cpu, 'utf8').slice(0, 500))
  expectUsage(['callgraph', 'missing.cpuprofile'], /missing\.cpuprofile/)
  expectUsage(['callgraph', 'empty.txt'], /empty\.txt.*empty/)
  expectUsage(['callgraph', 'junk.bin'], /junk\.bin.*binary/)
  expectUsage(['callgraph', 'trunc.cpuprofile'], /trunc\.cpuprofile:\d+: .*truncated/)
  expectUsage(['callgraph'], /missing INPUT/)
  expectUsage(['callgraph', recursion, '--bogus'], /unknown option --bogus \(see 'sonde callgraph --help'\)/)
  expectUsage(['callgraph', recursion, '-n', 'lots'], /--node-thres: not a number/)
  expectUsage(['callgraph', recursion, '-e', '101'], /--edge-thres must be a percentage/)
  expectUsage(['callgraph', recursion, '--focus', '('], /--focus: bad regular expression/)
  expectUsage(['callgraph', recursion, '--focus', 'zzz'], /--focus zzz: matches no function/)
  expectUsage(['callgraph', recursion, '-o', 'x.bmp'], /cannot tell the output type/)
  expectUsage(['callgraph', recursion, '--output', 'pdf'], /--output: 'pdf'/)
  expectUsage(['callgraph', recursion, '--metric', 'bytes'], /--metric bytes: this profile measures samples/)
  expectUsage(['callgraph', recursion, '--process', 'nope'], /no thread or process named 'nope'/)
  expectUsage(['flame', recursion, '--width', '3'], /--width/)
})

test('--diff colours by change; shaping options pass through', () => {
  writeFileSync(join(tmp, 'old.txt'), 'main;a 10\nmain;b 10\n')
  writeFileSync(join(tmp, 'new.txt'), 'main;a 30\nmain;b 10\n')
  const r = sonde(['callgraph', 'new.txt', '--diff', 'old.txt'])
  assert.is(r.code, 0, r.err)
  assert.match(r.out.toString(), /"a" \[[^\n]*Δ \+25\.00 pts/)
  assert.match(r.out.toString(), /"b" \[[^\n]*Δ −25\.00 pts/)
  const h = JSON.parse(sonde(['callgraph', 'new.txt', '--hide', '^a$', '--output', 'json']).out.toString())
  assert.equal(h.nodes.map((n: { name: string; self: number }) => [n.name, n.self]), [['b', 10], ['main', 30]])
})

test('sonde flame writes an SVG with escaped names and tooltips', () => {
  writeFileSync(join(tmp, 'xss.txt'), 'main;<img src=x onerror=alert(1)> 5\nmain;ok 3\n')
  const r = sonde(['flame', 'xss.txt', '-o', 'f.svg'])
  assert.is(r.code, 0, r.err)
  const svg = readFileSync(join(tmp, 'f.svg'), 'utf8')
  assert.not.ok(svg.includes('<img'))
  assert.ok(svg.includes('&lt;img src=x onerror=alert(1)&gt;'))
  assert.match(svg, /<title>main\nACC 8 samples \(100\.0 %\)/)
  assert.ok(existsSync(join(tmp, 'f.svg')))
})

test.after(() => rmSync(tmp, { recursive: true, force: true }))
test.run()
