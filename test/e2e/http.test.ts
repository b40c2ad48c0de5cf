// bpftrace -p PID on a real `node -r sonde/register` express server: exactly 23 GETs ->
// 23 sonde:http__server__request (GET, the exact URLs) and 23 http__server__response (200,
// duration > 0, ids paired), the compat node:http__server__request too; semaphores 0 before
// bpftrace attached, > 0 while attached, 0 after it detached.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { missing } from '../support/system'
import { traceApp } from '../support/trace-session'

const skip = missing('root', 'bpftrace', 'tracefs')
const N = 23
// %lu for the u64 request id and duration (%d prints the low 32 bits)
const script = `
usdt::sonde:http__server__request { printf("REQ %s %s %lu\\n", str(arg0), str(arg1), arg2); }
usdt::sonde:http__server__response { printf("RES %s %s %d %lu %lu\\n", str(arg0), str(arg1), arg2, arg3, arg4); }
usdt::node:http__server__request { printf("NODEREQ %s %d %s %s\\n", str(arg2), arg3, str(arg4), str(arg5)); }
`

if (skip) test.skip(`e2e http (${skip})`, () => {})
else test(`express: ${N} GETs -> ${N} request and ${N} response probes, exact URLs, status 200, duration > 0`, async () => {
  const s = await traceApp('http-get.js', { N: String(N), SERVER: 'express', SONDE_WAIT_PROBE: 'http__server__request,http__server__response' }, script)
  const req = s.trace.filter((l) => l.startsWith('REQ ')).map((l) => l.split(' '))
  const res = s.trace.filter((l) => l.startsWith('RES ')).map((l) => l.split(' '))
  const compat = s.trace.filter((l) => l.startsWith('NODEREQ '))
  assert.is(req.length, N, s.trace.join('\n'))
  assert.is(res.length, N)
  assert.ok(req.every((r) => r[1] === 'GET'))
  assert.equal(req.map((r) => r[2]), s.result.urls)
  for (let i = 0; i < N; i++) {
    assert.is(res[i][1], 'GET')
    assert.is(res[i][2], s.result.urls[i])
    assert.is(res[i][3], '200')
    assert.ok(Number(res[i][4]) > 0, 'duration > 0')
    assert.is(res[i][5], req[i][3], 'request id pairs request and response')
  }
  assert.is(new Set(req.map((r) => r[3])).size, N)
  assert.is(compat.length, N)
  assert.ok(compat.every((l, i) => l === `NODEREQ 127.0.0.1 ${l.split(' ')[2]} GET ${s.result.urls[i]}`), compat[0])
  assert.is(s.sem.before.total, 0, 'no semaphore set before attach')
  assert.is(s.sem.during.http__server__request, 1)
  assert.ok(s.sem.during.total > 0)
  assert.is(s.sem.after.total, 0, 'every semaphore back to 0 after bpftrace detached')
})

test.run()
