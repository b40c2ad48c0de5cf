// A fireWith builder that throws, cyclic JSON, a 1 MB string, wrong types and counts, fires
// after dispose(): untraced and traced, nothing throws and the host survives.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { createProvider, fireFaults, type DynamicProbe } from '../../probes/dynamic/provider'
import { boundedJson } from '../../probes/dynamic/json-bounded'
import { missing } from '../support/system'
import { runChaos } from './dynamic-chaos'
import { startChild, type Child } from './dynamic-harness'
import { startBpftrace } from '../support/bpftrace'

test('bounded JSON: cycles marked, output bounded, hostile getters and toJSON never throw', () => {
  const o: Record<string, unknown> = { a: [1, 'x', null, true], n: NaN, b: 10n, u: undefined, f: () => 1 }
  o.self = o
  assert.is(boundedJson(o), '{"a":[1,"x",null,true],"n":null,"b":10,"self":"[Circular]"}')
  assert.is(boundedJson({ s: 'y'.repeat(1 << 20) }).length, 1024)
  assert.is(boundedJson({ get x() { throw new Error('g') } }), '"[Unserializable]"')
  assert.is(boundedJson(new Date(0)), '"1970-01-01T00:00:00.000Z"')
  let deep: unknown = 1
  for (let i = 0; i < 100; i++) deep = [deep]
  assert.ok(boundedJson(deep).includes('"[Deep]"'))
})

test('untraced: hostile inputs, then dispose; nothing throws', () => {
  const p = createProvider('chaos_untraced')
  p.probe('every', ['i8']).fire()
  const r = runChaos(createProvider('chaos_untraced2').enable())
  assert.equal(r.threw, [])
  p.dispose()
})

test('enabled without a tracer (semaphore set by hand, as bcc does through /proc/PID/mem): the native fire path survives every hostile input', () => {
  const p = createProvider('chaos_forced')
  const every = p.probe('every', ['i8', 'i16', 'i32', 'i64', 'u8', 'u16', 'u32', 'u64', 'bool', 'string', 'json', 'i8'])
  const j = p.probe('j', ['json', 'string'])
  p.enable()
  assert.is(p.error, null)
  const sem = (q: DynamicProbe) => q as unknown as { sem: Uint16Array; idx: number }
  for (const q of [every, j]) sem(q).sem[sem(q).idx] = 1
  assert.ok(every.enabled && j.enabled)
  const before = fireFaults.count
  const r = runChaos(p)
  assert.equal(r.threw, [])
  assert.is(fireFaults.count - before, 1, 'only the throwing builder is counted')
  assert.not.ok(every.enabled, 'disposed probes read disabled')
  assert.throws(() => p.probe('later', []), /disposed/)
})

const skip = missing('root', 'bpftrace', 'tracefs')
let child: Child | null = null

test('traced by bpftrace: the same inputs fire the expected number of times and the host keeps running', async () => {
  if (skip) { console.log('skip:', skip); return }
  child = startChild('chaoshost')
  // bpftrace -p needs the objects loaded first: ask the child to load, then attach.
  child.proc.stdin!.write('chaos chaos\n')
  const loaded = await child.next()
  assert.is(loaded.phase, 'loaded')
  const bt = startBpftrace('usdt::chaos:every { @every = count(); } usdt::chaos:j { @j = count(); printf("J %s|%s\\n", str(arg0), str(arg1)); }',
    { pid: child.pid })
  await bt.ready
  child.proc.stdin!.write('chaosgo\n')
  const done = await child.next()
  assert.is(done.phase, 'done')
  assert.equal(done.threw, [])
  // printf lines stream; the counts are checked against the maps, the lines once they arrived (up to 5 s)
  for (let t = 0; t < 100 && bt.lines.filter((l) => l.startsWith('J ')).length < done.jFires; t++) await new Promise((r) => setTimeout(r, 50))
  const { lines, text: out } = await bt.stop()
  assert.match(out, new RegExp(`@every: ${done.everyFires}\\b`))
  assert.match(out, new RegExp(`@j: ${done.jFires}\\b`))
  assert.ok(lines.some((l) => l.startsWith('J {"a":1,"self":"[Circular]"}|cyclic')), out)
  assert.ok(lines.some((l) => l.startsWith('J "[Unserializable]"|getter')), out)
  assert.ok(lines.some((l) => /^J \{"big":"x+\|x+$/.test(l)), '1 MB string truncated, not dropped')
  assert.is((await child.send('info')).cmd, 'info', 'host still answers')
})

test.after(() => child?.close())
test.run()
