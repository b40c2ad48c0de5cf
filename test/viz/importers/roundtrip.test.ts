// Export → re-import round trips: folded text is a fixed point of import + toFolded, and
// every fixture's folded form re-imports to the same text and the same total weight.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import fs from 'node:fs'
import path from 'node:path'
import { importProfileFile, importProfileText } from '../../../viz/importers'
import { toFolded } from '../../../viz/writers/folded'
import { root } from './golden-file'

test('folded → import → folded is identical (recursion fixture)', () => {
  const text = fs.readFileSync(path.join(root, 'test/fixtures/stackcollapse/recursion.txt'), 'utf8')
  const once = toFolded(importProfileText(text, 'r.txt'))
  assert.is(toFolded(importProfileText(once, 'r2.txt')), once)
  // 10 samples, identical stacks merged: 'a;b;a;b 1' twice → 2.
  assert.ok(once.includes('a;b;a;b 2\n'))
  assert.is(once.split('\n').filter(Boolean).reduce((s, l) => s + Number(l.slice(l.lastIndexOf(' ') + 1)), 0), 10)
})

test('generated folded with spaces, CRLF, blank lines and fractions round-trips', () => {
  let seed = 23
  const rnd = (n: number) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n }
  const names = ['main', 'Foo.bar (Foo.java)', 'node::Start', '[unknown]', '(garbage collector)', 'x y z']
  const lines = new Map<string, number>()
  for (let i = 0; i < 500; i++) {
    const depth = 1 + rnd(12)
    const stack = Array.from({ length: depth }, () => names[rnd(names.length)]).join(';')
    lines.set(stack, (lines.get(stack) ?? 0) + 1 + rnd(97))
  }
  const input = [...lines].map(([s, c]) => `${s} ${c}`).join('\r\n\r\n') + '\r\n'
  const out = toFolded(importProfileText(input, 'gen.txt'))
  const expected = [...lines].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([s, c]) => `${s} ${c}\n`).join('')
  assert.is(out, expected)
  assert.is(toFolded(importProfileText('a;b 0.25\na;b 0.5\n', 'f.txt')), 'a;b 0.75\n')
})

for (const fixture of ['chrome/Chrome_65_simple.cpuprofile', 'node/selfgen_node20_cpu-prof.cpuprofile', 'node/selfgen_node20_heap-prof.heapprofile']) {
  test(`${fixture} → folded → import → folded`, async () => {
    const p = await importProfileFile(path.join(root, 'test/fixtures', fixture))
    const once = toFolded(p)
    const back = importProfileText(once, 'back.txt')
    assert.is(toFolded(back), once)
    assert.is(back.threads[0].tree!.inclusive()[0], p.threads[0].tree!.inclusive()[0])
  })
}

test('Chrome_65_simple by hand: 7 nodes, 29 samples, a→b→d and a→c→d', async () => {
  const p = await importProfileFile(path.join(root, 'test/fixtures/chrome/Chrome_65_simple.cpuprofile'))
  assert.is(p.meta.samples, 29)
  const tree = p.threads[0].tree!
  assert.is(tree.size, 7) // synthetic root stands for V8's (root): 1 + 6 nodes
  // endTime − time of the first sample = 163140647178 − (163140599286 + 11575)
  assert.is(tree.inclusive()[0], 36317)
})

test('stdin ("-") is read like a file', async () => {
  const { spawnSync } = await import('node:child_process')
  const script = `require('${path.join(root, 'viz/importers/index.ts')}').importProfileFile('-').then((p) => process.stdout.write(require('${path.join(root, 'viz/writers/folded.ts')}').toFolded(p)))`
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { input: 'x;y 2\nx 1\n', encoding: 'utf8' })
  assert.is(r.stderr, '')
  assert.is(r.stdout, 'x 1\nx;y 2\n')
})

test('onProgress reports bytes read up to the file size, streamed line by line', async () => {
  const os = await import('node:os')
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sonde-prog-'))
  try {
    const file = path.join(dir, 'p.folded')
    // 3 MiB: more than the 64 KiB head and two 1 MiB chunks, so progress is reported several times.
    const line = 'main;work;' + 'x'.repeat(90) + ' 1\n'
    const n = Math.ceil((3 * 1024 * 1024) / line.length)
    fs.writeFileSync(file, line.repeat(n))
    const seen: [number, number][] = []
    const p = await importProfileFile(file, { onProgress: (d, t) => seen.push([d, t]) })
    const size = fs.statSync(file).size
    assert.ok(seen.length >= 3, `${seen.length} progress calls`)
    assert.equal(seen[seen.length - 1], [size, size])
    assert.ok(seen.every(([d], i) => i === 0 || d > seen[i - 1][0]))
    assert.is(p.threads[0].tree!.inclusive()[0], n)
  } finally { fs.rmSync(dir, { recursive: true, force: true }) }
})

test('call tree index: 300 000 contexts, lookups stable, children in creation order', async () => {
  const { CallTree } = await import('../../../viz/model/profile')
  const t = new CallTree()
  const made: number[] = []
  for (let i = 0; i < 300_000; i++) made.push(t.child(i % 1000, (i * 7919) % 300_000))
  for (let i = 0; i < 300_000; i += 997) assert.is(t.child(i % 1000, (i * 7919) % 300_000), made[i])
  assert.is(t.size, 300_001)
  assert.equal([...t.children(5)].slice(0, 3), [made[5], made[1005], made[2005]])
  assert.is([...t.children(5)].length, 300)
})

test.run()
