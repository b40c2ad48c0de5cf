// Provider lifetime without a tracer (no root needed): enable() is idempotent, probes added
// after enable() load as a new module, dispose() unloads (the mapping and the memfd go away),
// a provider stays loaded while a probe is reachable and is unloaded once nothing references it,
// file mode writes a content-addressed file, and when both ways fail the reason is kept.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import v8 from 'node:v8'
import vm from 'node:vm'
import { createProvider, type DynamicProbe } from '../../probes/dynamic/provider'
import { status } from '../../probes/dynamic/native-loader'

v8.setFlagsFromString('--expose-gc')
const gc = vm.runInNewContext('gc') as () => void
const mapped = (name: string) => fs.readFileSync('/proc/self/maps', 'utf8').includes(`/memfd:sonde:${name} `)
const forceOn = (p: DynamicProbe) => { const s = p as unknown as { sem: Uint16Array; idx: number }; s.sem[s.idx] = 1 }

test('enable() is idempotent; a probe added after enable() is a second module; dispose() unloads both', async () => {
  const p = createProvider('life1')
  p.probe('a', ['i32'])
  p.enable(); p.enable()
  assert.is(p.objects.length, 1)
  const fd = Number(/fd\/(\d+)$/.exec(p.objects[0].path)![1])
  assert.ok(mapped('life1'))
  const late = p.probe('late', ['string'])
  assert.is(p.objects.length, 1, 'loaded on the next microtask, in one batch')
  p.probe('late2', ['u64'])
  await Promise.resolve()
  assert.equal(p.objects.map((o) => o.probes), [1, 2])
  assert.ok(late.path?.startsWith(`/proc/${process.pid}/fd/`))
  forceOn(late)
  late.fire('still fine')
  p.dispose()
  assert.not.ok(mapped('life1'), 'unmapped after dispose')
  assert.throws(() => fs.fstatSync(fd), /EBADF/, 'memfd closed')
  assert.not.ok(late.enabled)
  late.fire('after dispose')
})

test('a reachable probe keeps its provider loaded; an unreachable provider is unloaded after GC', async () => {
  let probe: DynamicProbe | null = (() => { const p = createProvider('life2'); const q = p.probe('q', ['i64']); p.enable(); return q })()
  for (let i = 0; i < 3; i++) { gc(); await new Promise((r) => setTimeout(r, 20)) }
  assert.ok(mapped('life2'), 'still loaded while the probe is reachable')
  forceOn(probe)
  probe.fire(1n)
  assert.ok(probe.provider.enabled)
  // eslint-disable-next-line no-useless-assignment -- drops the last reference, so the provider can be collected
  probe = null
  for (let i = 0; i < 10 && mapped('life2'); i++) { gc(); await new Promise((r) => setTimeout(r, 50)) }
  assert.not.ok(mapped('life2'), 'unloaded by the FinalizationRegistry')
})

test('file mode: a content-addressed file in the cache directory, reused for identical images', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sonde-cache-'))
  process.env.SONDE_CACHE_DIR = dir
  try {
    const a = createProvider('life3', { mode: 'file' }); a.probe('x', ['i8']); a.enable()
    const b = createProvider('life3', { mode: 'file' }); b.probe('x', ['i8']); b.enable()
    assert.is(a.objects[0].mode, 'file')
    assert.is(a.objects[0].path, b.objects[0].path)
    assert.match(a.objects[0].path, /\/[0-9a-f]{32}\.so$/)
    assert.equal(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp')), [], 'no temp file left (atomic rename)')
    a.dispose(); b.dispose()
  } finally { delete process.env.SONDE_CACHE_DIR; fs.rmSync(dir, { recursive: true, force: true }) }
})

test('both ways fail: the provider keeps a clear reason, probes stay disabled, nothing throws', () => {
  process.env.SONDE_CACHE_DIR = '/proc/sonde-cannot-write-here'
  try {
    const p = createProvider('life4', { mode: 'file' })
    const q = p.probe('x', ['i8'])
    p.enable()
    assert.equal(p.objects, [])
    assert.match(p.error ?? '', /^provider life4: cache file in \/proc\/sonde-cannot-write-here: /)
    assert.is(status.lastError, p.error)
    assert.not.ok(q.enabled)
    q.fire(1)
  } finally { delete process.env.SONDE_CACHE_DIR }
})

test('definition errors are clear; redefinition with the same types returns the same probe', () => {
  const p = createProvider('life5')
  assert.throws(() => createProvider('my-app'), /invalid provider name "my-app"/)
  assert.throws(() => p.probe('q', ['i32', 'int'] as never), /argument 1 has type "int"/)
  const q = p.probe('q', ['i32'])
  assert.is(p.probe('q', ['i32']), q)
  assert.throws(() => p.probe('q', ['u32']), /already defined with \(i32\)/)
})

test.run()
