// Malformed input → the exact ParseError (file, line, reason); garbage → null from each
// importer; never a stack overflow or hang.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { ParseError } from '../../../viz/model/profile'
import { formats, importProfileFile, importProfileText } from '../../../viz/importers'
import { importFromCpuprofile } from '../../../viz/importers/cpuprofile'
import { importFromHeapprofile } from '../../../viz/importers/heapprofile'
import { importFromFolded } from '../../../viz/importers/folded'
import { importFromBpftrace } from '../../../viz/importers/bpftrace'
import { importFromPerfScript } from '../../../viz/importers/perf-script'
import { formatNames } from '../../../viz/importers/format-names'
import { importFromCallgrind } from '../../../viz/importers/callgrind'
import { importFromGprof2dotJson } from '../../../viz/importers/gprof2dot-json'
import { toFolded } from '../../../viz/writers/folded'

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sonde-imp-'))
function file(name: string, content: string | Buffer): string {
  const p = path.join(tmp, name)
  fs.writeFileSync(p, content)
  return p
}

async function fileError(p: string, format?: string): Promise<string> {
  try { await importProfileFile(p, { format }); return 'no error' } catch (e) {
    assert.instance(e, ParseError)
    return (e as Error).message
  }
}
function textError(text: string, name: string): string {
  try { importProfileText(text, name); return 'no error' } catch (e) {
    assert.instance(e, ParseError)
    return (e as Error).message
  }
}

const garbage = 'hello world\nthis is not a profile at all\n'
const importers: [string, (t: string, n: string) => unknown][] = [
  ['cpuprofile', importFromCpuprofile], ['heapprofile', importFromHeapprofile], ['folded', importFromFolded],
  ['bpftrace', importFromBpftrace], ['perf-script', importFromPerfScript], ['callgrind', importFromCallgrind],
  ['gprof2dot-json', importFromGprof2dotJson],
]
for (const [id, fn] of importers) {
  test(`${id}: garbage → null`, () => {
    assert.is(fn(garbage, 'g.txt'), null)
    assert.is(fn('{"foo": [1, 2, 3]}', 'g.json'), null)
  })
}

test('every registered format has a sniffer that rejects garbage', () => {
  for (const f of formats) assert.not.ok(f.sniff(garbage), f.id)
})

test('missing file, directory, empty, binary junk, unrecognised', async () => {
  assert.is(await fileError(path.join(tmp, 'nope.cpuprofile')), `${path.join(tmp, 'nope.cpuprofile')}: no such file`)
  assert.is(await fileError(tmp), `${tmp}: is a directory`)
  const empty = file('empty.txt', '')
  assert.is(await fileError(empty), `${empty}:1: empty file`)
  const blank = file('blank.txt', '\n  \n')
  assert.is(await fileError(blank), `${blank}:1: empty file`)
  const junk = file('junk.bin', Buffer.from([0x41, 0x0a, 0x42, 0x0a, 0x00, 0xff, 0xfe, 0x13]))
  assert.is(await fileError(junk), `${junk}:3: binary data (NUL byte at offset 4), not a text profile`)
  const gz = file('x.gz', Buffer.from([0x1f, 0x8b, 8, 0, 0, 0]))
  assert.is(await fileError(gz), `${gz}:1: binary data (gzip-compressed?), not a text profile`)
  assert.is(await fileError(file('g.txt', garbage)), `${path.join(tmp, 'g.txt')}: unrecognised profile format`)
  assert.is(await fileError(file('g2.txt', garbage), 'folded'), `${path.join(tmp, 'g2.txt')}: folded: line 1: bad count "world"`)
  assert.is(await fileError(file('g3.txt', garbage), 'jfr'), `${path.join(tmp, 'g3.txt')}: unknown format "jfr" (known: ${formatNames(formats.map((f) => f.id))})`)
})

/** `n` pseudo-random bytes with no NUL (seeded, so the test is the same every run). */
function randomNoNul(n: number, seed: number): Buffer {
  const b = Buffer.alloc(n)
  for (let i = 0; i < n; i++) { seed = (Math.imul(seed, 1103515245) + 12345) >>> 0; b[i] = 1 + ((seed >>> 8) % 255) }
  return b
}

test('binary junk without a NUL byte is reported as binary (file, stdin-like text), not as an unknown format', async () => {
  const junk = randomNoNul(300, 7)
  assert.is(junk.indexOf(0), -1)
  const f = file('rand.bin', junk)
  const msg = await fileError(f)
  assert.ok(msg.startsWith(`${f}:`), msg)
  assert.match(msg.slice(f.length), /^:\d+: binary data \((invalid UTF-8|control byte 0x[0-9a-f]{2}) at offset \d+\), not a text profile$/)
  assert.match(textError(junk.toString('latin1'), 'rand.txt'), /^rand\.txt:\d+: binary data \(control byte 0x[0-9a-f]{2} at offset \d+\), not a text profile$/)
  // The first suspicious byte is named exactly: a control byte after a clean text start.
  const ctl = file('ctl.bin', Buffer.concat([Buffer.from('main;a 1\n'), Buffer.from([1, 2, 3, 4, 5, 6])]))
  assert.is(await fileError(ctl), `${ctl}:2: binary data (control byte 0x01 at offset 9), not a text profile`)
})

test('a text profile with one stray control byte or invalid UTF-8 byte still imports', async () => {
  const lines = Array.from({ length: 50 }, (_, i) => `main;f${i} ${i + 1}`).join('\n')
  const p = await importProfileFile(file('stray.folded', Buffer.concat([Buffer.from('main;odd\x07name 2\nmain;caf'), Buffer.from([0xe9]), Buffer.from(' 3\n' + lines + '\n')])))
  assert.is(p.format, 'folded')
  assert.is(p.threads[0].tree!.inclusive()[0], 5 + (50 * 51) / 2)
})

test('truncated and invalid JSON name the line', () => {
  const full = fs.readFileSync(path.join(__dirname, '../../fixtures/chrome/Chrome_65_simple.cpuprofile'), 'utf8')
  const pretty = JSON.stringify(JSON.parse(full), null, 1)
  const cut = pretty.slice(0, 500)
  const line = cut.split('\n').length
  assert.is(textError(cut, 'cut.cpuprofile'), `cut.cpuprofile:${line}: truncated JSON (input ends inside a value)`)
  assert.is(textError('{"nodes": [\n{"id": 1,,}]}', 'bad.cpuprofile'), `bad.cpuprofile:2: invalid JSON: Expected double-quoted property name`)
})

test('dangling node ids, missing sample node, bad counts', () => {
  const nodes = (extra: string) => `{"nodes":[\n{"id":1,"callFrame":{"functionName":"(root)"},"children":[2]},\n{"id":2,"callFrame":{"functionName":"f"}${extra}}\n],"samples":[2],"timeDeltas":[5]}`
  assert.is(textError(nodes(',"children":[9]'), 'd.cpuprofile'), 'd.cpuprofile:3: node 2 lists child 9, which does not exist')
  const parentForm = '{"nodes":[\n{"id":1,"callFrame":{"functionName":"(root)"}},\n{"id":2,"parent":7,"callFrame":{"functionName":"f"}}\n],"samples":[2],"timeDeltas":[5]}'
  assert.is(textError(parentForm, 'p.cpuprofile'), 'p.cpuprofile:3: node 2 has parent 7, which does not exist')
  const badSample = '{"nodes":[\n{"id":1,"callFrame":{"functionName":"(root)"}}\n],\n"samples":[1,4],"timeDeltas":[5,5]}'
  assert.is(textError(badSample, 's.cpuprofile'), 's.cpuprofile:4: sample 1 refers to node 4, which does not exist')
  assert.is(textError('a;b 3\na;c x\n', 'f.txt'), 'f.txt: folded: line 2: bad count "x"')
  assert.is(textError('a;b 3\n\na;c -2\n', 'f.txt'), 'f.txt: folded: line 3: bad count "-2"')
  assert.is(textError('a;b 3\nabc\n', 'f.txt'), 'f.txt: folded: line 2: missing sample count after the stack')
  assert.is(textError('{"head":{"callFrame":{"functionName":"(root)"},\n"selfSize":-4,"id":3,"children":[]}}', 'h.heapprofile'), 'h.heapprofile:2: bad selfSize -4')
})

test('bpftrace, perf script and gprof2dot JSON: malformed → exact errors', () => {
  assert.is(textError('Attaching 1 probe...\n\n@[\n    f+1\n]: 3\n@[\n    g+2\n]: lots\n', 'b.txt'), 'b.txt: bpftrace: line 8: bad count "lots"')
  assert.is(textError('Attaching 1 probe...\n\n@[\n    f+1\n    g+2\n', 'b.txt'), 'b.txt: bpftrace: input ends inside a map key (truncated output?)')
  assert.is(textError('Attaching 2 probes...\n\n\n', 'b.txt'), 'b.txt: bpftrace: no stack map entries (did bpftrace exit before printing its maps?)')
  const perf = 'node 1/2   3.000001:    1000 cpu-clock:ppp: \n\t  abc f+0x1 (/bin/x)\n\n'
  assert.is(toFolded(importProfileText(perf, 'p.perf')), 'f 1\n') // one thread: no thread prefix
  assert.is(textError(perf + 'garbage here\n\t  abc f+0x1 (/bin/x)\n', 'p.perf'), 'p.perf: perf script: line 4: expected a sample header or a frame, got "garbage here"')
  const g = (events: string, fns = '[{"name":"a"}]') => `{"version": 0, "costs": [{"description": "Samples"}], "functions": ${fns},\n"events": ${events}}`
  assert.is(textError(g('[{"callchain": [0, 3], "cost": [1]}]'), 'g.json'), 'g.json:2: events[0] refers to function 3, which does not exist')
  assert.is(textError(g('[{"callchain": [0], "cost": ["x"]}]'), 'g.json'), 'g.json:2: events[0] has bad cost "x"')
  assert.is(textError(g('[{"callchain": [], "cost": [1]}]'), 'g.json'), 'g.json:2: events[0] has no callchain')
  assert.is(textError(g('[]').replace('"version": 0', '"version": 2'), 'g.json'), 'g.json:1: unsupported gprof2dot JSON version 2 (expected 0)')
})

test('200 000-frame stacks: folded, flat and tree cpuprofile', () => {
  const N = 200_000
  const frames = Array.from({ length: N }, (_, i) => `f${i % 1000}`)
  const folded = importProfileText(frames.join(';') + ' 7\n', 'deep.txt')
  const t = folded.threads[0].tree!
  assert.is(t.size, N + 1)
  assert.is(t.depthOf(t.size - 1), N)
  assert.is(t.inclusive()[0], 7)
  const nodes = frames.map((f, i) => ({ id: i + 1, callFrame: { functionName: f }, children: i + 1 < N ? [i + 2] : [] }))
  const flat = importProfileText(JSON.stringify({ nodes, samples: [N], timeDeltas: [3], startTime: 0, endTime: 10 }), 'deep.cpuprofile')
  assert.is(flat.threads[0].tree!.size, N + 1)
  assert.is(flat.threads[0].tree!.inclusive()[0], 7)
  let head = '{"functionName":"leaf","id":' + (N + 1) + ',"hitCount":2,"children":[]}'
  // Build the nested old form as text: "{...children:[" × N then the closers.
  const open = frames.map((f, i) => `{"functionName":"${f}","id":${i + 1},"hitCount":0,"children":[`).join('')
  head = open + head + ']}'.repeat(N)
  const tree = importProfileText(`{"head":${head}}`, 'deep-tree.cpuprofile')
  assert.is(tree.threads[0].tree!.size, N + 2)
  assert.is(tree.unit, 'samples')
  assert.is(tree.threads[0].tree!.inclusive()[0], 2)
})

test.after(() => fs.rmSync(tmp, { recursive: true, force: true }))
test.run()
