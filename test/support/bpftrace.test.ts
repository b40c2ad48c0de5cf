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
    const bt = startBpftrace('interval:ms:50 { @n = count(); printf("tick %ld\\n", 4294967296 * 5); }', { json: true })
    await bt.ready
    await new Promise((r) => setTimeout(r, 400))
    const out = await bt.stop()
    assert.equal([out.code, out.signal], [0, null], out.stderr)
    assert.ok((out.result.maps['@n'] as number) >= 3, JSON.stringify(out.result.maps))
    assert.is(out.result.printf[0], 'tick 21474836480')
    assert.is(out.result.printf.length, out.result.maps['@n'])
  })
}

test.run()
