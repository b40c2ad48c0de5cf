// Event-loop delay and GC count against independent truths on one process
// (apps/loop-and-gc.js under `node --trace-gc -r dist/register.js`, default collectors):
// - idle: the event-loop collector's p50 within 0.5 ms of the `loop-lag` one-liner's p50, run
//   by real bpftrace on the same process over the same seconds (its log2 µs histogram, p50 as
//   the collectors' bpftrace parser estimates it); before the fix the collector read ~10 ms, its
//   own sampling period;
// - a 50 ms synchronous block shows up as ≥ 45 ms delay (the collector's max);
// - GC count: the GC collector's collections (kinds 1|2|4) over the whole run, start-up
//   included, equal the --trace-gc lines of the main isolate (test/support/trace-gc.ts).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawn } from 'node:child_process'
import path from 'node:path'
import { missing } from '../support/system'
import { startBpftrace } from '../support/bpftrace'
import { parseTraceGcLine } from '../support/trace-gc'
import { findOneLiner, renderProgram } from '../../bpftrace/oneliners/index'

const root = path.resolve(__dirname, '../..')
const dist = path.join(root, 'dist')
const skip = missing('root', 'bpftrace')

function waitFor(get: () => string, re: RegExp, ms = 30_000): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const t0 = Date.now()
    const poll = () => { const m = re.exec(get()); if (m) return resolve(m); if (Date.now() - t0 > ms) return reject(new Error(`no ${re} in ${get().slice(-500)}`)); setTimeout(poll, 20) }
    poll()
  })
}

if (skip) { console.log(`skip: ${skip}`); test.run() }
else test('idle loop delay p50 = loop-lag one-liner ± 0.5 ms; 50 ms block ≥ 45 ms; GC count = --trace-gc', async () => {
  const c = spawn(process.execPath, ['--trace-gc', '--expose-gc', '-r', path.join(dist, 'register.js'), path.join(__dirname, 'apps/loop-and-gc.js')], {
    env: { ...process.env, SONDE_DIST: dist, SONDE_COLLECT: 'default' }, stdio: ['pipe', 'pipe', 'inherit'],
  })
  let out = ''
  c.stdout!.on('data', (d) => { out += d })
  const exited = new Promise((res) => c.once('exit', res))
  try {
    await waitFor(() => out, /READY/)
    const bt = startBpftrace(renderProgram(findOneLiner('loop-lag')!, { pid: c.pid }), { pid: c.pid, json: true })
    await bt.ready
    c.stdin!.write('snap\n')
    const before = JSON.parse((await waitFor(() => out, /SNAP (.*)\n/))[1])
    await new Promise((r) => setTimeout(r, 6000))  // idle: 60 one-liner samples, 600 collector samples
    const lag = (await bt.stop()).result.histograms['@lag_us']?.[0]
    assert.ok(lag?.histogram, `loop-lag printed its histogram: ${JSON.stringify(lag)}`)
    c.stdin!.write('snap\n')
    await waitFor(() => out, /SNAP .*\n[^]*SNAP (.*)\n/)
    const idle = JSON.parse(/SNAP .*\n[^]*SNAP (.*)\n/.exec(out)![1])
    const oneLinerP50 = lag!.summary.p50, ours = idle.p50
    process.stdout.write(`  idle p50: collector ${(ours / 1e6).toFixed(3)} ms (was ${(before.p50 / 1e6).toFixed(3)} at start), loop-lag one-liner ${(oneLinerP50 / 1e6).toFixed(3)} ms (${lag!.summary.count} samples)\n`)
    assert.ok(Math.abs(ours - oneLinerP50) <= 0.5e6, `p50 ${ours} ns vs one-liner ${oneLinerP50} ns`)
    c.stdin!.write('block\n')
    await waitFor(() => out, /BLOCKED/)
    await new Promise((r) => setTimeout(r, 100))
    c.stdin!.write('end\n')
    const r = JSON.parse((await waitFor(() => out, /RESULT (.*)\n/))[1])
    await exited
    process.stdout.write(`  50 ms block: max delay ${(r.delay.max / 1e6).toFixed(1)} ms\n`)
    assert.ok(r.delay.max >= 45e6, `max delay ${r.delay.max} ns after a 50 ms block`)
    const lines = out.split('\n').map(parseTraceGcLine).filter((l) => l !== null && l.isolate === r.iso)
    process.stdout.write(`  GC count: collector ${r.gcCount}, --trace-gc ${lines.length} (whole run)\n`)
    assert.is(r.gcCount, lines.length)
  } finally { c.kill() }
})

if (!skip) test.run()
