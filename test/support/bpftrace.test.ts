// The tests' bpftrace harness: READY handshake (also merged into a program's own BEGIN), a
// bad program rejects `ready` with bpftrace's error, -f json parsed, exit() seen as `exited`.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { withReadyMarker } from '../../collectors/bpftrace-process'
import { startBpftrace } from './bpftrace'
import { missing } from './system'

test('the marker joins an existing BEGIN (bpftrace allows one)', () => {
  assert.is(withReadyMarker('BEGIN { @a = 1; } END { }', 'M'), 'BEGIN { printf("M\\n"); @a = 1; } END { }')
  assert.is(withReadyMarker('tracepoint:x:y { }', 'M'), 'BEGIN { printf("M\\n"); }\ntracepoint:x:y { }')
})

const skip = missing('root', 'bpftrace')
if (skip) test.skip(`real bpftrace (${skip})`, () => {})
else {
  test('ready, then events; the program\'s own BEGIN still runs; exit() resolves exited', async () => {
    const bt = startBpftrace('BEGIN { printf("mine\\n"); } interval:ms:100 { @ticks = @ticks + 1; if (@ticks == 3) { exit(); } }')
    await bt.ready
    const out = await bt.exited()
    assert.equal(out.lines, ['mine', '@ticks: 3'], out.stderr)
    assert.is(out.code, 0)
  })

  test('a bad program rejects ready with bpftrace\'s error', async () => {
    const bt = startBpftrace('uprobe:/nonexistent/binary:f { @ = count(); }')
    const err = await bt.ready.then(() => null, (e: Error) => e)
    assert.match(String(err), /before READY: .*nonexistent/s)
  })

  test('json: maps and printf parsed; stop() ends a polling bpftrace with its maps', async () => {
    // Each tick numbers its printf. A tick can fire after bpftrace's last read of the perf
    // buffer and before it prints the maps, so its printf is never read: the printf lines are
    // ticks 1..k in order, and the maps count at least k.
    const bt = startBpftrace('interval:ms:50 { @n = count(); @i = @i + 1; printf("tick %ld %ld\\n", 4294967296 * 5, @i); }', { json: true })
    await bt.ready
    await new Promise((r) => setTimeout(r, 400))
    const out = await bt.stop()
    assert.equal([out.code, out.signal], [0, null], out.stderr)
    const k = out.result.printf.length
    assert.ok(k >= 3, JSON.stringify(out.result.printf))
    assert.equal(out.result.printf, Array.from({ length: k }, (_, i) => `tick 21474836480 ${i + 1}`))
    assert.ok((out.result.maps['@n'] as number) >= k, JSON.stringify(out.result.maps))
    assert.ok((out.result.maps['@i'] as number) >= k, JSON.stringify(out.result.maps))
  })
}

test.run()
