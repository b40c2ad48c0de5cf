// GC probes and the GC ring against V8's own --trace-gc output in the same run. A child (main
// thread + one worker) opens a window per thread, churns the heap, closes it. Ground truth:
// the --trace-gc lines of that isolate inside its window (every GC line kind, parsed by
// test/support/trace-gc.ts). Kind mapping: those lines are GCs of kind 1, 2 and 4; V8 also calls
// the GC callbacks with kind 8 (the start of incremental marking: no line of its own, the
// finishing work is part of the later full GC's line) and 16 (weak callback processing: no
// line), so the comparison counts kind & 7.
// stdbuf -oL makes V8's stdio line-buffered, so its lines and our fd-1 markers keep order.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { addonStatus } from '../../probes/addon'
import { missing, which } from '../support/system'
import { startBpftrace, type Bpftrace } from '../support/bpftrace'
import { parseTraceGcLine } from '../support/trace-gc'

const root = path.resolve(__dirname, '../..')
const dist = path.join(root, 'dist')
const child = path.join(root, 'test/fixtures/probes/gc-child.js')

interface Out { stdout: string; bpf: string; pid: number }

function run(script: string | null): Promise<Out> {
  return new Promise((resolve, reject) => {
    const c = spawn('stdbuf', ['-oL', process.execPath, '--expose-gc', '--trace-gc', child], {
      env: { ...process.env, SONDE_DIST: dist, SONDE_WAIT: script ? '1' : '0' }, stdio: ['pipe', 'pipe', 'pipe'],
    })
    let stdout = '', stderr = '', bpf = ''
    let bt: Bpftrace | undefined, stopping = false
    const timer = setTimeout(() => { c.kill('SIGKILL'); void bt?.stop(); reject(new Error(`timeout: child ${stdout.split('\n').filter((l) => !l.startsWith('[')).join(' | ')} ${stderr} bpftrace ${bt?.lines.join('\n')} ${bt?.stderr()}`)) }, 60_000)
    c.stdout!.on('data', (d) => {
      stdout += d
      if (script && !bt && stdout.includes('LOADED\n')) {
        bt = startBpftrace(script, { pid: c.pid, args: ['-B', 'none'] })
        bt.ready.then(() => c.stdin!.write('go\n'), (e: Error) => { c.kill('SIGKILL'); reject(e) })  // BEGIN runs after every attach
      }
      if (bt && !stopping && stdout.includes('RESULT ')) {
        stopping = true
        setTimeout(() => { void bt!.stop().then((o) => { bpf = o.text; c.stdin!.write('exit\n') }) }, 300)
      }
    })
    c.stderr!.on('data', (d) => { stderr += d })
    c.on('exit', (code) => { clearTimeout(timer); code === 0 ? resolve({ stdout, bpf, pid: c.pid! }) : reject(new Error(`child exit ${code}: ${stderr} ${bt?.stderr()}`)) })
  })
}

/** --trace-gc collections per isolate address, inside that isolate's MARK window. */
function traceGcCounts(stdout: string): Map<string, number> {
  const open = new Set<string>(), counts = new Map<string, number>()
  for (const line of stdout.split('\n')) {
    const m = /^MARK (start|end) (0x[0-9a-f]+)$/.exec(line)
    if (m) { m[1] === 'start' ? open.add(m[2]) : open.delete(m[2]); if (m[1] === 'start') counts.set(m[2], 0); continue }
    const g = parseTraceGcLine(line)
    if (g && open.has(g.isolate)) counts.set(g.isolate, counts.get(g.isolate)! + 1)
  }
  return counts
}

function result(stdout: string): any {
  const line = stdout.split('\n').find((l) => l.startsWith('RESULT '))
  assert.ok(line, stdout.slice(-2000))
  return JSON.parse(line!.slice(7))
}

test('the drained ring equals --trace-gc, main thread and worker', async () => {
  assert.ok(fs.existsSync(path.join(dist, 'probes/gc-hook.js')), 'dist/ missing: run npx tsc first')
  assert.ok(addonStatus().loaded)
  if (!which('stdbuf')) assert.unreachable('stdbuf (coreutils) missing')
  const { stdout } = await run(null)
  const r = result(stdout), counts = traceGcCounts(stdout)
  for (const t of [r.main, r.worker]) {
    assert.ok(counts.get(t.iso)! >= 2, `a few GCs in the window of ${t.iso}`)
    assert.is(t.collections, counts.get(t.iso), `ring vs --trace-gc for thread ${t.threadId}`)
    assert.ok(t.minDurationNs > 0)
    assert.ok(t.usedOk)
  }
  assert.equal(r.main.threadIds, [0])
  assert.equal(r.worker.threadIds, [r.worker.threadId])
  assert.ok(r.worker.threadId > 0)
})

test('bpftrace: sonde:gc__start = gc__done = node:gc__start = --trace-gc, per thread', async () => {
  const skip = missing('root', 'bpftrace', 'tracefs')
  if (skip) { console.log(`skip: ${skip}`); return }
  const A = addonStatus().path
  const w = '@on[tid] && (arg0 & 7)'
  const script = `
usdt:${A}:sonde:loop__lag /arg0 == 1/ { @on[tid] = 1; }
usdt:${A}:sonde:loop__lag /arg0 == 2/ { delete(@on[tid]); }
usdt:${A}:sonde:gc__start /${w} && tid == pid/ { @ms = count(); }
usdt:${A}:sonde:gc__start /${w} && tid != pid/ { @ws = count(); }
usdt:${A}:sonde:gc__done /${w} && tid == pid/ { @md = count(); @mmin = min(arg2); }
usdt:${A}:sonde:gc__done /${w} && tid != pid/ { @wd = count(); @wmin = min(arg2); }
usdt:${A}:node:gc__start /${w} && tid == pid/ { @mn = count(); @miso = min(arg2); }
usdt:${A}:node:gc__start /${w} && tid != pid/ { @wn = count(); }
usdt:${A}:sonde:heap__grow /@on[tid] && arg1 > arg0/ { @g[tid] = count(); }
usdt:${A}:sonde:heap__shrink /@on[tid] && arg1 < arg0/ { @h[tid] = count(); }
END { clear(@on); }`
  const { stdout, bpf, pid } = await run(script)
  const r = result(stdout), counts = traceGcCounts(stdout)
  const v = (k: string): number => Number((new RegExp(`^@${k}: (\\d+)$`, 'm').exec(bpf) ?? [])[1])
  const main = counts.get(r.main.iso)!, worker = counts.get(r.worker.iso)!
  assert.ok(main >= 2 && worker >= 2, stdout.slice(-1500))
  assert.ok(stdout.includes('SEM [true,true,true,true]'), 'semaphores set while attached')
  const why = `${bpf}\n${stdout.split('\n').filter((l) => !l.startsWith('[')).join(' | ')}\n${stdout.split('\n').filter((l) => /Mark|Scav/.test(l)).map((l) => l.slice(0, 60)).join('\n')}`
  assert.is(v('ms'), main, why)
  assert.is(v('md'), main)
  assert.is(v('mn'), main)
  assert.is(v('ws'), worker, why)
  assert.is(v('wd'), worker)
  assert.is(v('wn'), worker)
  assert.ok(v('mmin') > 0 && v('wmin') > 0, 'durations > 0')
  assert.ok(v('miso') > 0, 'node:gc__start carries the isolate pointer')
  // heap__grow/heap__shrink: one per GC whose committed size changed, as the ring recorded it.
  // Keyed by tid: the main thread's tid is the child's pid (stdbuf execs node), the worker is the
  // one other thread. (bpftrace 0.17 cannot key a map by a string ternary such as
  // `tid == pid ? "m" : "w"`: each event gets a key of its own, all printed alike.)
  const keyed = (m: string): Map<number, number> => new Map([...bpf.matchAll(new RegExp(`^@${m}\\[(\\d+)\\]: (\\d+)$`, 'gm'))].map((k) => [Number(k[1]), Number(k[2])]))
  const grows = keyed('g'), shrinks = keyed('h')
  const others = [...new Set([...grows.keys(), ...shrinks.keys()])].filter((t) => t !== pid)
  assert.ok(others.length <= 1, `heap probes from one thread besides the main one: ${bpf}`)
  const of = (m: Map<number, number>, tid: number | undefined): number => (tid === undefined ? undefined : m.get(tid)) ?? 0
  assert.ok(r.main.grows > 0, 'the churn grows the heap')
  assert.is(of(grows, pid), r.main.grows, bpf)
  assert.is(of(grows, others[0]), r.worker.grows, bpf)
  assert.is(of(shrinks, pid), r.main.shrinks, bpf)
  assert.is(of(shrinks, others[0]), r.worker.shrinks, bpf)
  assert.is(r.main.collections, main)
  assert.is(r.worker.collections, worker)
})

test.run()
