// Provider API under misuse: methods taken off their object (`const { fire } = probe`), a json
// argument with 10^6 keys fired again and again (work per fire compared with a small object's
// in the same run), and a cache file planted under the name of a provider image (a shared
// object whose constructor would leave a marker file) is never loaded.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { createProvider, fireFaults, type DynamicProbe } from '../../probes/dynamic/provider'
import { boundedJson } from '../../probes/dynamic/json-bounded'
import { missing } from '../support/system'

const forceOn = (p: DynamicProbe) => { const s = p as unknown as { sem: Uint16Array; idx: number }; s.sem[s.idx] = 1 }

test('detached methods: const { fire, fireWith } = probe and const { probe, enable, dispose } = provider work and never throw', () => {
  const { probe, enable, dispose } = createProvider('detached')
  const q = probe('d', ['i32', 'json'])
  enable()
  forceOn(q)
  const { fire, fireWith } = q
  const before = fireFaults.count
  fire(7, { a: 1 })
  fireWith((x: number) => [x, { b: 2 }], 3)
  ;[1, 2, 3].forEach(fire)
  assert.is(fireFaults.count, before, 'no fault counted')
  dispose()
  fire(8, null)
})

test('json argument with 10^6 keys: same output shape, per-fire work bounded (vs a 300-key object in the same run)', () => {
  const big: Record<string, unknown> = {}
  for (let i = 0; i < 1e6; i++) big['k' + i] = i
  const small: Record<string, unknown> = {}
  for (let i = 0; i < 300; i++) small['k' + i] = i
  const p = createProvider('jsonwork')
  const q = p.probe('j', ['json'])
  p.enable()
  forceOn(q)
  q.fire(big) // the first fire lists the keys once
  const perFireNs = (o: object, n: number) => {
    const t0 = process.hrtime.bigint()
    for (let i = 0; i < n; i++) q.fire(o)
    return Number(process.hrtime.bigint() - t0) / n
  }
  perFireNs(small, 200)
  const tSmall = perFireNs(small, 200), tBig = perFireNs(big, 20)
  console.log(`# json fire: 10^6 keys ${(tBig / 1e3).toFixed(1)} µs, 300 keys ${(tSmall / 1e3).toFixed(1)} µs, ratio ${(tBig / tSmall).toFixed(2)}`)
  assert.ok(tBig < 20 * tSmall, `10^6 keys ${tBig} ns per fire vs ${tSmall} ns`)
  // values are read afresh and deleted keys skipped
  big.k0 = 'changed'
  delete big.k1
  const text = boundedJson(big)
  assert.is(text.length, 1024)
  assert.ok(text.startsWith('{"k0":"changed","k2":2,"k3":3,'), text.slice(0, 40))
  const typed = boundedJson(new Uint8Array(1e7))
  assert.is(typed.length, 1024)
  assert.ok(typed.startsWith('{"0":0,"1":0,'), typed.slice(0, 20))
  p.dispose()
})

const skip = missing('cc-x64')
test('a cached .so whose content does not match its hash (same name, same size) is never loaded: replaced by the genuine image', () => {
  if (skip) { console.log('skip:', skip); return }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sonde-cache-'))
  const marker = path.join(dir, 'planted-code-ran')
  process.env.SONDE_CACHE_DIR = dir
  try {
    const a = createProvider('tamper', { mode: 'file' }); a.probe('x', ['i8']); a.enable()
    const file = a.objects[0].path
    a.dispose()
    const genuine = fs.readFileSync(file)
    // a shared object whose constructor creates the marker (creat(2) by syscall: no libc)
    fs.writeFileSync(path.join(dir, 'planted.c'), `__attribute__((constructor)) static void planted(void) { long r;
      __asm__ volatile ("syscall" : "=a"(r) : "a"(85L), "D"(${JSON.stringify(marker)}), "S"(0600L) : "rcx", "r11", "memory"); }\n`)
    execFileSync('cc', ['-shared', '-fPIC', '-Os', '-s', '-nostdlib', '-Wl,-z,noseparate-code', '-Wl,--build-id=none', '-Wl,-z,norelro',
      '-o', path.join(dir, 'planted.so'), path.join(dir, 'planted.c')])
    const planted = fs.readFileSync(path.join(dir, 'planted.so'))
    assert.ok(planted.length <= genuine.length, `planted ${planted.length} B fits in ${genuine.length} B`)
    fs.chmodSync(file, 0o600)
    fs.writeFileSync(file, Buffer.concat([planted, Buffer.alloc(genuine.length - planted.length)]))
    const b = createProvider('tamper', { mode: 'file' }); b.probe('x', ['i8']); b.enable()
    assert.not.ok(fs.existsSync(marker), 'the planted code never ran')
    assert.is(b.error, null)
    assert.is(b.objects[0].path, file)
    assert.ok(fs.readFileSync(file).equals(genuine), 'the cache file holds the genuine image again')
    b.dispose()
  } finally { delete process.env.SONDE_CACHE_DIR; fs.rmSync(dir, { recursive: true, force: true }) }
})

test.run()
