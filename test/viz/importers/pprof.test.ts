// pprof in: profiles encoded here with pprof-format's own encoder (the same library Datadog's
// @datadog/pprof writes with) are read with the right sample type, inlined frames in
// order, address-only locations named by mapping; gzipped and raw are both sniffed; bad
// input is a ParseError naming pprof. pprof out: sonde's pprof is read back by pprof-format's
// decoder with the sample types, counts and sums the inputs have, and re-imported by sonde
// with the same per-function self and total.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import fs from 'node:fs'
import path from 'node:path'
import { gunzipSync, gzipSync } from 'node:zlib'
import { Function as PFunction, Line, Location, Mapping, Profile as PProfile, Sample, StringTable, ValueType } from 'pprof-format'
import { importProfileBytes, importProfileFile } from '../../../viz/importers'
import { ParseError } from '../../../viz/model/profile'
import { toFolded } from '../../../viz/writers/folded'
import { toPprof } from '../../../viz/writers/pprof-writer'
import { isPprofBytes } from '../../../viz/importers/pprof'
import { deriveCallGraph } from '../../../viz/graph/derive'
import { root } from './golden-file'

/** A Go-heap-like profile: four sample types, an inlined location, an address-only one. */
function heapLike(defaultType?: string): Uint8Array {
  const st = new StringTable()
  const s = (x: string) => st.dedup(x)
  const fn = (id: number, name: string, line: number) => new PFunction({ id, name: s(name), systemName: s(name), filename: s('app/main.go'), startLine: line })
  const p = new PProfile({
    sampleType: [['alloc_objects', 'count'], ['alloc_space', 'bytes'], ['inuse_objects', 'count'], ['inuse_space', 'bytes']].map(([t, u]) => new ValueType({ type: s(t), unit: s(u) })),
    mapping: [new Mapping({ id: 1, filename: s('/usr/lib/libfoo.so'), memoryStart: 0x1000, memoryLimit: 0x9000 })],
    function: [fn(1, 'main.main', 10), fn(2, 'main.handler', 20), fn(3, 'main.helper', 30)],
    location: [
      new Location({ id: 1, line: [new Line({ functionId: 1, line: 12 })] }),
      // Inlined: helper (innermost, first) inside handler.
      new Location({ id: 2, line: [new Line({ functionId: 3, line: 31 }), new Line({ functionId: 2, line: 22 })] }),
      new Location({ id: 3, mappingId: 1, address: 0x4000 }),
    ],
    sample: [
      new Sample({ locationId: [2, 1], value: [1, 100, 3, 1000] }),
      new Sample({ locationId: [3, 2, 1], value: [2, 200, 4, 2000] }),
      new Sample({ locationId: [1], value: [5, 500, 0, 0] }),
    ],
    stringTable: st,
    ...(defaultType ? { defaultSampleType: s(defaultType) } : {}),
  })
  return p.encode()
}

test('sample type: default_sample_type, else the last; --metric picks by unit; inlined frames root-first', () => {
  const raw = heapLike()
  const inuse = importProfileBytes(raw, 'heap.pb')
  assert.is(inuse.format, 'pprof')
  assert.is(inuse.unit, 'bytes')
  assert.is(inuse.meta.sampleType, 'inuse_space/bytes')
  assert.is(toFolded(inuse), 'main.main;main.handler;main.helper 1000\nmain.main;main.handler;main.helper;0x4000 2000\n')
  const alloc = importProfileBytes(heapLike('alloc_space'), 'heap.pb')
  assert.is(toFolded(alloc), 'main.main 500\nmain.main;main.handler;main.helper 100\nmain.main;main.handler;main.helper;0x4000 200\n')
  const objects = importProfileBytes(raw, 'heap.pb', { metric: 'samples' })
  assert.is(objects.meta.sampleType, 'inuse_objects/count')
  assert.is(toFolded(objects), 'main.main;main.handler;main.helper 3\nmain.main;main.handler;main.helper;0x4000 4\n')
  assert.throws(() => importProfileBytes(raw, 'heap.pb', { metric: 'time' }), (e: unknown) => e instanceof ParseError && /pprof: no sample type measures time/.test(e.message))
  // A function is name + file + start line; the address-only frame takes its mapping's module.
  const helper = inuse.frames.frames.find((f) => f.name === 'main.helper')!
  assert.equal([helper.file, helper.line], ['app/main.go', 30])
  assert.is(inuse.frames.frames.find((f) => f.name === '0x4000')!.module, 'libfoo.so')
})

test('gzipped and raw pprof are sniffed from a file; gzip of something else is still "binary data"', async () => {
  const dir = fs.mkdtempSync(path.join(require('node:os').tmpdir(), 'sonde-pprof-'))
  fs.writeFileSync(path.join(dir, 'a.pb'), heapLike())
  fs.writeFileSync(path.join(dir, 'a.pb.gz'), gzipSync(heapLike()))
  fs.writeFileSync(path.join(dir, 'folded.gz'), gzipSync('a;b 1\n'))
  const a = toFolded(await importProfileFile(path.join(dir, 'a.pb')))
  assert.is(toFolded(await importProfileFile(path.join(dir, 'a.pb.gz'))), a)
  await importProfileFile(path.join(dir, 'folded.gz')).then(() => assert.unreachable(), (e: Error) => assert.match(e.message, /binary data \(gzip-compressed\?\)/))
  fs.rmSync(dir, { recursive: true })
})

test('sniffing: no text fixture looks like pprof; Go-order (time_nanos first) and pprof-format order both do', () => {
  const texts: string[] = []
  const walk = (d: string) => { for (const e of fs.readdirSync(d, { withFileTypes: true })) e.isDirectory() ? walk(path.join(d, e.name)) : texts.push(path.join(d, e.name)) }
  walk(path.join(root, 'test/fixtures'))
  const hits = texts.filter((f) => isPprofBytes(fs.readFileSync(f).subarray(0, 64 * 1024)))
  assert.equal(hits, [])
  assert.ok(texts.length > 50)
  const st = new StringTable()
  const goOrder = new PProfile({ timeNanos: 1_700_000_000_000_000_000n, sampleType: [new ValueType({ type: st.dedup('samples'), unit: st.dedup('count') })], stringTable: st }).encode()
  assert.ok(isPprofBytes(heapLike()) && isPprofBytes(gzipSync(heapLike())))
  // pprof-format writes sample_type first; a message starting with time_nanos (field 9), as Go writes it:
  const t = Buffer.from(goOrder)
  const tn = Buffer.from([0x48, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x17])
  assert.ok(isPprofBytes(Buffer.concat([tn, t])), 'time_nanos first')
})

test('malformed pprof: truncated gzip, truncated message, not protobuf, dangling ids → ParseError naming pprof', () => {
  const gz = gzipSync(heapLike())
  const err = (f: () => unknown, re: RegExp) => assert.throws(f, (e: unknown) => e instanceof ParseError && re.test(e.message))
  err(() => importProfileBytes(gz.subarray(0, gz.length - 12), 'cut.pb.gz'), /^cut\.pb\.gz: pprof: corrupt or truncated gzip data/)
  err(() => importProfileBytes(Buffer.from('hello, world\n'), 'x.pb', { format: 'pprof' }), /^x\.pb: pprof: not a protobuf Profile message/)
  const raw = heapLike()
  err(() => importProfileBytes(raw.subarray(0, raw.length - 3), 'cut.pb'), /^cut\.pb: pprof: truncated protobuf \(the field at byte \d+ runs past the end/)
  err(() => importProfileBytes(gzipSync(raw.subarray(0, raw.length - 3)), 'cut.pb.gz'), /^cut\.pb\.gz: pprof: truncated protobuf/)
  const st = new StringTable()
  const dangling = new PProfile({ sampleType: [new ValueType({ type: st.dedup('samples'), unit: st.dedup('count') })], sample: [new Sample({ locationId: [7], value: [1] })], stringTable: st }).encode()
  err(() => importProfileBytes(dangling, 'd.pb'), /pprof: sample 0 refers to location 7, which does not exist/)
})

/** Per-function (name, file, line) self and total of the merged call graph. */
function perFunction(p: ReturnType<typeof importProfileBytes>, scale = 1): Map<string, [number, number]> {
  const g = deriveCallGraph(p, {})
  const out = new Map<string, [number, number]>()
  for (const n of g.nodes) out.set(`${n.name}@${n.file ?? ''}:${n.line ?? ''}`, [n.self * scale, n.total * scale])
  return out
}

/** Sum of every sample's values per sample type, from pprof-format's decoder. */
function sums(bytes: Uint8Array): Record<string, number> {
  const p = PProfile.decode(gunzipSync(bytes))
  const out: Record<string, number> = {}
  p.sampleType.forEach((t, k) => {
    out[`${p.stringTable.strings[Number(t.type)]}/${p.stringTable.strings[Number(t.unit)]}`] = p.sample.reduce((s, x) => s + Number(x.value[k]), 0)
  })
  return out
}

for (const fixture of ['test/fixtures/node/selfgen_node20_cpu-prof.cpuprofile', 'test/fixtures/chrome/Chrome_65_simple.cpuprofile']) {
  test(`cpuprofile → pprof: pprof-format reads the samples back; sonde reads the same per-function figures (${path.basename(fixture)})`, async () => {
    const file = path.join(root, fixture)
    const json = JSON.parse(fs.readFileSync(file, 'utf8')) as { samples: number[] }
    const cpu = await importProfileFile(file)
    const bytes = toPprof(cpu)
    const total = cpu.threads[0].tree!.inclusive()[0]
    // Independent truths: the sample count is the cpuprofile's samples[] length; the time is
    // the whole profile's time in ns.
    assert.equal(sums(bytes), { 'samples/count': json.samples.length, 'cpu/nanoseconds': total * 1000 })
    const back = importProfileBytes(bytes, 'x.pb.gz')
    assert.is(back.unit, 'nanoseconds')
    assert.equal(perFunction(back), perFunction(cpu, 1000))
    assert.equal(perFunction(importProfileBytes(bytes, 'x.pb.gz', { metric: 'samples' })).size, perFunction(cpu).size)
  })
}

test('heapprofile → pprof space/bytes: the sum is the heap profile\'s selfSize sum', async () => {
  const file = path.join(root, 'test/fixtures/node/selfgen_node20_heap-prof.heapprofile')
  let selfSum = 0
  const stack = [JSON.parse(fs.readFileSync(file, 'utf8')).head]
  while (stack.length) { const n = stack.pop(); selfSum += n.selfSize; stack.push(...n.children) }
  const heap = await importProfileFile(file)
  const bytes = toPprof(heap)
  assert.equal(sums(bytes), { 'space/bytes': selfSum })
  assert.equal(perFunction(importProfileBytes(bytes, 'h.pb.gz')), perFunction(heap))
})

test('several threads (perf pids/tids): one thread_name label per sample, the names of the threads', async () => {
  const perf = await importProfileFile(path.join(root, 'test/fixtures/perf/node20_worker_default.perf'))
  const p = PProfile.decode(gunzipSync(toPprof(perf)))
  const names = new Set(p.sample.map((s) => { assert.is(s.label.length, 1); return p.stringTable.strings[Number(s.label[0].str)] }))
  assert.equal([...names].sort(), perf.threads.map((t) => t.name).sort())
  assert.ok(p.sample.every((s) => p.stringTable.strings[Number(s.label[0].key)] === 'thread_name'))
})

test.run()
