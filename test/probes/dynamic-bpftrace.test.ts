// Dynamic providers seen by real bpftrace (root): exact values of a 12-argument probe mixing
// every type, fired 23 times; attaching by /proc/PID/fd/N; file mode without -p; a probe added
// after enable(); 1000 probes in one provider; fires from a worker thread.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { missing } from '../support/system'
import { readUsdtNotes } from '../../inspect/elf-notes'
import { startChild, specToExpr, type Child } from './dynamic-harness'
import { startBpftrace } from '../support/bpftrace'
import { knownArgs } from './dynamic-child'
import { boundedJson } from '../../probes/dynamic/json-bounded'

const only = process.env.ONLY
const T = (name: string, fn: () => Promise<void>) => { if (!only || name.includes(only)) test(name, fn) }
const skip = missing('root', 'bpftrace', 'tracefs')
const ALL = 'i8 i16 i32 i64 u8 u16 u32 u64 bool string json i8'
const children: Child[] = []
const child = (name: string, env?: Record<string, string>) => { const c = startChild(name, env); children.push(c); return c }

/** The bpftrace program printing all 12 arguments, built from the argument specs of the live note. */
function everyProgram(target: string, args: string): string {
  const specs = args.split(' ')
  const fmt = ['%ld', '%ld', '%ld', '%ld', '%lu', '%lu', '%lu', '%lu', '%lu', '%s', '%s', '%ld']
  const exprs = specs.map((s, i) => (i === 9 || i === 10 ? `str(${specToExpr(s, i)})` : specToExpr(s, i)))
  return `usdt:${target}:every { printf("${fmt.join('|')}\\n", ${exprs.join(', ')}); }`
}

function expectedLine(i: number): string {
  const a = knownArgs(i)
  return [a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8] ? 1 : 0, a[9], boundedJson(a[10]), a[11]].map(String).join('|')
}

T('12-argument probe, 23 fires, bpftrace -p sees exactly the known values (u64 > 2^53, negative i8, strings, JSON, 12th arg)', async () => {
  if (skip) { console.log('skip:', skip); return }
  const c = child('sondeall')
  await c.send(`define every ${ALL}`)
  const en = await c.send('enable')
  assert.is(en.objects[0].mode, 'memfd')
  const objPath = en.objects[0].path as string
  assert.match(objPath, new RegExp(`^/proc/${c.pid}/fd/\\d+$`))
  const note = readUsdtNotes(objPath).find((n) => n.name === 'every')!
  assert.is(note.provider, 'sondeall')
  const bt = startBpftrace(everyProgram(':sondeall', note.args), { pid: c.pid })
  await bt.ready
  const r = await c.send('fire every 23')
  assert.ok(r.enabled, 'semaphore raised by bpftrace -p')
  const { lines } = await bt.stop()
  assert.is(lines.length, 23, lines.join('\n'))
  lines.forEach((l, i) => assert.is(l, expectedLine(i)))
  assert.ok(lines[0].includes('|18446744073709551000|'), 'u64 above 2^63 exact')
  assert.ok(lines[0].startsWith('-100|'), 'negative i8')
  assert.ok(lines[22].endsWith('|-23'), '12th argument')
})

T('attach by the /proc/PID/fd/N path', async () => {
  if (skip) return
  const c = child('sondefd')
  await c.send('define tick i64')
  const en = await c.send('enable')
  const bt = startBpftrace(`usdt:${en.objects[0].path}:sondefd:tick { @n = count(); @s = sum(arg0); }`, { pid: c.pid })
  await bt.ready
  assert.ok((await c.send('fire tick 23')).enabled)
  const out = (await bt.stop()).text
  assert.match(out, /@n: 23\b/)
  assert.match(out, /@s: 253\b/) // 0 + 1 + ... + 22
})

T('file mode (cache dir): bpftrace attaches by the file path without -p', async () => {
  if (skip) return
  const cache = fs.mkdtempSync(path.join(os.tmpdir(), 'sonde-cache-'))
  const c = child('sondefile', { SONDE_DYN_MODE: 'file', SONDE_CACHE_DIR: cache })
  await c.send('define tick i64')
  const en = await c.send('enable')
  assert.is(en.objects[0].mode, 'file')
  const file = en.objects[0].path as string
  assert.ok(file.startsWith(cache) && /[0-9a-f]{32}\.so$/.test(file), file)
  const bt = startBpftrace(`usdt:${file}:sondefile:tick { @n = count(); }`)
  await bt.ready
  assert.ok((await c.send('fire tick 23')).enabled, 'semaphore raised without -p (kernel uprobe ref_ctr)')
  assert.match((await bt.stop()).text, /@n: 23\b/)
  fs.rmSync(cache, { recursive: true, force: true })
})

T('a probe added after enable() is seen (a second module); the first keeps working', async () => {
  if (skip) return
  const c = child('sondelate')
  await c.send('define first i64')
  await c.send('enable')
  const d = await c.send('define late i64')
  assert.is(d.objects.length, 2)
  const bt = startBpftrace('usdt::sondelate:late { @late = count(); } usdt::sondelate:first { @first = count(); }', { pid: c.pid })
  await bt.ready
  assert.ok((await c.send('fire late 23')).enabled)
  assert.ok((await c.send('fire first 29')).enabled)
  const out = (await bt.stop()).text
  assert.match(out, /@late: 23\b/)
  assert.match(out, /@first: 29\b/)
})

T('1000 probes in one provider load and fire', async () => {
  if (skip) return
  const c = child('sondebig')
  await c.send('bulk 1000')
  const en = await c.send('enable')
  assert.equal(en.objects.map((o: any) => o.probes), [1000])
  assert.is(readUsdtNotes(en.objects[0].path).length, 1000)
  const bt = startBpftrace('usdt::sondebig:p0, usdt::sondebig:p499, usdt::sondebig:p999 { @[probe] = sum(arg0); @n = count(); }', { pid: c.pid })
  await bt.ready
  assert.ok((await c.send('waitbulk p999')).ok)
  const f = await c.send('firebulk 1000')
  assert.is(f.fired, 3, 'exactly the three attached probes are enabled')
  const out = (await bt.stop()).text
  assert.match(out, /@n: 3\b/)
  assert.match(out, /sondebig:p499\]: 499\b/)
  assert.match(out, /sondebig:p999\]: 999\b/)
})

T('relay sonde:dyn__fire: a system-wide script on the addon (no -p) sees every dynamic fire', async () => {
  if (skip) return
  const c = child('sonderelay')
  await c.send('define tick i64 u32 string')
  await c.send('enable')
  const addon = path.resolve(__dirname, '..', '..', 'build', 'Release', 'sonde.node')
  const bt = startBpftrace(`usdt:${addon}:sonde:dyn__fire /pid == ${c.pid}/ { @[str(arg0), str(arg1)] = count(); @a0 = sum(arg2); @a1 = sum(arg3); @a2 = sum(arg4); }`)
  await bt.ready
  const r = await c.send('firenow tick 23')
  assert.is(r.enabled, false, 'the dynamic probe itself is not attached')
  const out = (await bt.stop()).text
  assert.match(out, /@\[sonderelay, tick\]: 23\b/)
  assert.match(out, /@a0: 253\b/)
  assert.match(out, /@a1: 506\b/)
  assert.match(out, /@a2: 0\b/)
})

T('fires from a worker thread', async () => {
  if (skip) return
  const c = child('sondewk')
  const ready = await c.send('worker 23')
  assert.ok(ready.ready, JSON.stringify(ready))
  const bt = startBpftrace('usdt::sondewk_w:w { @n = count(); @s = sum(arg0); @[str(arg1)] = count(); }', { pid: c.pid })
  await bt.ready
  c.proc.stdin!.write('workergo\n')
  const fired = await c.next()
  assert.is(fired.fired, 23)
  const out = (await bt.stop()).text
  assert.match(out, /@n: 23\b/)
  assert.match(out, new RegExp(`@s: ${23 * 1000 + 253}\\b`))
  assert.match(out, /@\[from-worker\]: 23\b/)
})

test.after(() => { for (const c of children) c.close() })
test.run()
