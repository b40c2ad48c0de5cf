// Static probes seen by real bpftrace attached with -p to a child that fires known values:
// a u64 above 2^53 (bigint), negative i64/i32, a 300-byte string that must arrive cut to
// STRING_ARG_MAX-1 bytes, exactly 23 fires; semaphores 0 before attach, > 0 during, 0 after.
// Without a tracer: a probe enabled by hand counts wrong-type/count fires and never throws;
// a missing addon gives the stub plus a reason.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawn, spawnSync } from 'node:child_process'
import path from 'node:path'
import { STRING_ARG_MAX } from '../../probes/catalogue'
import { addonStatus } from '../../probes/addon'
import { sondeProbes, semaphores, probeIndex, fireFaults } from '../../probes/static-probes'
import { missing } from '../support/system'
import { startBpftrace, type Bpftrace } from '../support/bpftrace'

const root = path.resolve(__dirname, '../..')
const child = path.join(root, 'test/fixtures/probes/static-fire-child.ts')

interface Run { out: Map<string, string>; trace: string[]; bpfErr: string }

function traceChild(script: string): Promise<Run> {
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, ['--import', 'tsx', child], { cwd: root, stdio: ['pipe', 'pipe', 'pipe'] })
    const r: Run = { out: new Map(), trace: [], bpfErr: '' }
    let bt: Bpftrace | undefined, buf = '', err = ''
    const timer = setTimeout(() => { c.kill('SIGKILL'); void bt?.stop(); reject(new Error(`timeout: child ${JSON.stringify([...r.out])} ${err} bpftrace ${r.trace.join('|')} ${bt?.stderr()}`)) }, 60_000)
    c.stderr!.on('data', (d) => { err += d })
    c.stdout!.setEncoding('utf8')
    c.stdout!.on('data', (d: string) => {
      buf += d
      let i
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i); buf = buf.slice(i + 1)
        const sp = line.startsWith('SEM ') ? line.indexOf(' ', 4) : line.indexOf(' ')
        r.out.set(sp < 0 ? line : line.slice(0, sp), sp < 0 ? '' : line.slice(sp + 1))
        if (line.startsWith('SEM before')) {
          bt = startBpftrace(script, { pid: c.pid, args: ['-B', 'none'] })
          r.trace = bt.lines
          bt.ready.then(() => c.stdin!.write('go\n'), (e: Error) => { c.kill('SIGKILL'); reject(e) })  // BEGIN runs after every attach
        } else if (line === 'FIRED') {
          setTimeout(() => { void bt!.stop().then((o) => { r.bpfErr = o.stderr; c.stdin!.write('after\n') }) }, 500)
        }
      }
    })
    c.on('exit', (code) => { clearTimeout(timer); code === 0 ? resolve(r) : reject(new Error(`child exit ${code}: ${err} ${bt?.stderr()}`)) })
  })
}

test('bpftrace -p sees exactly the fired values', async () => {
  const skip = missing('root', 'bpftrace', 'tracefs')
  if (skip) { console.log(`skip: ${skip}`); return }
  const A = addonStatus().path
  const script = [
    `usdt:${A}:sonde:msg__send { printf("S %llu %llu %lld %d\\n", arg0, arg1, arg2, arg3); }`,
    `usdt:${A}:sonde:http__server__request { printf("H %s %llu %s|%s\\n", str(arg0), arg2, str(arg1, 4), str(arg1 + 248)); }`,
    `usdt:${A}:sonde:msg__receive { printf("R %llu %llu %llu %d\\n", arg0, arg1, arg2, arg3); }`,
    // Node <= 18 layout: flat args, plus the same values through the struct pointers
    // (node_dtrace_http_server_request_t: url at +8, method at +16; node_dtrace_connection_t: fd, port, remote at +8)
    // (bpftrace 0.17 rejects arg6+ even for usdt, "x86_64 doesn't support arg6": fd is read through the struct)
    `usdt:${A}:node:http__server__request { printf("N %s %d %s %s\\n", str(arg2), arg3, str(arg4), str(arg5)); }`,
    `usdt:${A}:node:http__server__request { printf("P %s %s\\n", str(*(uint64 *)(arg0 + 8)), str(*(uint64 *)(arg0 + 16))); }`,
    `usdt:${A}:node:http__server__request { printf("C %d %d %s\\n", *(int32 *)arg1, *(int32 *)(arg1 + 4), str(*(uint64 *)(arg1 + 8))); }`,
  ].join('\n')
  const r = await traceChild(script)
  assert.ok(r.out.has('SEM during'), `the child never fired: ${r.bpfErr}`)
  assert.equal(JSON.parse(r.out.get('SEM before')!), [0, 0, 0, 0])
  assert.ok(JSON.parse(r.out.get('SEM during')!).every((v: number) => v > 0), r.out.get('SEM during'))
  assert.equal(JSON.parse(r.out.get('SEM after')!), [0, 0, 0, 0])
  const S = r.trace.filter((l) => l.startsWith('S '))
  const H = r.trace.filter((l) => l.startsWith('H '))
  const R = r.trace.filter((l) => l.startsWith('R '))
  assert.is(S.length, 23, r.trace.join('\n') + r.bpfErr)
  assert.is(H.length, 23)
  S.forEach((l, i) => assert.is(l, `S ${2n ** 60n + BigInt(i)} ${i + 1} -1 ${-(i + 2)}`))
  // STRING_ARG_MAX-1 = 255 bytes arrive: bytes 248..254 are 'uuAB CDE' minus the cut
  const tail = 'u'.repeat(250) + 'ABCDEFGHIJKLMNOPQRSTUVWXYZ'
  H.forEach((l, i) => assert.is(l, `H GET ${9007199254740993n + BigInt(i)} uuuu|${tail.slice(248, STRING_ARG_MAX - 1)}`))
  assert.equal(R, ['R 0 0 0 0', 'R 1 2 3 4'])
  const N = r.trace.filter((l) => l.startsWith('N ')), P = r.trace.filter((l) => l.startsWith('P '))
  assert.equal(N, Array.from({ length: 23 }, (_, i) => `N 10.1.2.3 ${40000 + i} POST /old/${i}`))
  assert.equal(P, Array.from({ length: 23 }, (_, i) => `P /old/${i} POST`))
  assert.equal(r.trace.filter((l) => l.startsWith('C ')), Array.from({ length: 23 }, (_, i) => `C ${17 + i} ${40000 + i} 10.1.2.3`))
  assert.is(r.out.get('FAULTS'), '6')
})

test('wrong types and counts are coerced and counted, never thrown', () => {
  const p = sondeProbes.msg__receive, i = probeIndex(p.spec)
  assert.ok(addonStatus().loaded)
  semaphores()[i] = 1  // enable by hand: the nop site runs with no tracer attached
  try {
    const before = fireFaults()
    const fire = p.fire as (...a: unknown[]) => void
    fire(1n, 2, 3, 4)                          // right: 0 faults
    fire({ toString() { throw new Error('no') } }, Symbol('s'), null, 'x')  // 4 wrong types
    fire()                                     // count + 4 missing = 5
    fire(1, 2, 3, 4, 5, 6)                     // extra args: 1
    sondeProbes.http__server__request.fire('GET', '/', 1)  // disabled: returns before any check
    const f2 = sondeProbes.http__server__request.fire as (...a: unknown[]) => void
    const j = probeIndex(sondeProbes.http__server__request.spec)
    semaphores()[j] = 1
    try { f2({}, 42, true) } finally { semaphores()[j] = 0 }  // object string: 1 fault; number coerced
    assert.is(fireFaults() - before, 11)
  } finally {
    semaphores()[i] = 0
  }
})

test('a missing addon gives the stub and says why', () => {
  const code = "const {addonStatus}=require('./probes/addon'); const s=require('./probes/static-probes');" +
    "s.sondeProbes.gc__start.fire(1,2); console.log(JSON.stringify({st:addonStatus(), en:s.sondeProbes.gc__start.enabled, n:s.semaphores().length}))"
  const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', code], { cwd: root, encoding: 'utf8', env: { ...process.env, SONDE_ADDON_PATH: '/nonexistent/sonde.node' } })
  const o = JSON.parse(r.stdout.trim())
  assert.is(o.st.loaded, false)
  assert.match(o.st.error, /not built/)
  assert.is(o.en, false)
  assert.ok(o.n > 0)
})

test.run()
