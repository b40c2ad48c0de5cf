// Every library one-liner runs with real bpftrace (-f json, through runOneLiner) against a
// real `node -r dist/register.js` workload around exactly one known batch (23 GET /fast,
// 7 /missing → 404, 5 /slow ≥ 40 ms, 3 /alloc, 101 worker round trips of 1000-byte strings,
// 13 user-probe fires, 17 tracedWork → 34 tracedLeaf, 3 loop blocks of 150 ms, 2 global.gc()),
// and its parsed output is checked against that ground truth. msg-latency must agree with
// the in-process message collector of the same run (median within 10 %).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { missing } from '../support/system'
import { oneLiners } from '../../bpftrace/oneliners/index'
import { startWorkload, traceBatch, type OneLinerRun, type Workload } from './oneliners-workload'
import type { TraceResult } from '../../bpftrace/output'

const skip = missing('root', 'bpftrace', 'tracefs')

const m = (r: TraceResult, name: string): Record<string, number> => r.maps[name] as Record<string, number>
const h = (r: TraceResult, name: string, key = '') => r.histograms[name]?.find((e) => e.key === key)
const total = (o: Record<string, number> | undefined): number => Object.values(o ?? {}).reduce((a, b) => a + b, 0)
const byPrefix = (o: Record<string, number>, prefix: string): number => total(Object.fromEntries(Object.entries(o ?? {}).filter(([k]) => k.startsWith(prefix))))

const checks: Record<string, (x: OneLinerRun) => void> = {
  'msg-latency': ({ result: r, truth }) => {
    assert.is(r.stats['@stats_ns'][''].count, 2 * truth.messages.roundTrips)
    assert.is(h(r, '@latency_ns')!.summary.count, 202)
    const bt = h(r, '@latency_us')!.summary.p50, inproc = truth.messages.collector.p50Ns
    assert.is(truth.messages.collector.count, 202, 'in-process collector saw the batch')
    console.log(`# msg-latency: median bpftrace ${(bt / 1000).toFixed(2)} µs, in-process collector ${(inproc / 1000).toFixed(2)} µs`)
    // within 10 %, or within the lhist's 4 µs row (all a bucket can say)
    assert.ok(Math.abs(bt - inproc) <= Math.max(0.1 * inproc, 4000), `median bpftrace ${bt} vs collector ${inproc}`)
  },
  'msg-latency-by-channel': ({ result: r }) => {
    const es = r.histograms['@latency_us']
    assert.is(es.reduce((a, e) => a + e.summary.count, 0), 202)
    assert.ok(es.some((e) => e.key.endsWith(',0')) && es.some((e) => !e.key.endsWith(',0')), 'both receiver threads')
    for (const e of es) assert.ok(e.summary.p99 >= e.summary.p50 && e.summary.p50 > 0)
  },
  'msg-bytes': ({ result: r }) => {
    assert.is(m(r, '@messages')['0'], 101, 'main thread sent 101')
    assert.is(total(m(r, '@sent_bytes')), 202 * 1000)
    assert.ok(h(r, '@size_bytes')!.summary.count >= 202)
  },
  'gc-pauses-by-kind': ({ result: r }) => {
    assert.ok(h(r, '@pause_us', 'mark-sweep-compact')!.summary.count >= 2, 'two global.gc()')
    assert.ok(m(r, '@pause_total_us')['mark-sweep-compact'] > 0)
  },
  'gc-during-http': ({ result: r }) => {
    assert.is(r.maps['@requests'], 38)
    assert.ok(((r.maps['@gc_in_requests_total_us'] as number) ?? 0) + ((r.maps['@gc_idle_total_us'] as number) ?? 0) > 0)
    assert.not.ok('@open' in r.maps && total(m(r, '@open')) !== 0)
  },
  'gc-rate': ({ result: r }) => {
    const lines = r.printf.filter((l) => /^gc \d+ pauses, \d+ us \(\d+\.\d percent of the second\)$/.test(l))
    assert.ok(lines.length >= 2 && lines.length === r.printf.length, r.printf.join('\n'))
    assert.ok(lines.reduce((a, l) => a + Number(/^gc (\d+)/.exec(l)![1]), 0) >= 1)
  },
  'gc-freed': ({ result: r }) => {
    assert.ok(h(r, '@freed_kb', '4')!.summary.count >= 2)
    assert.ok((r.maps['@freed_total_kb'] as number) > 0)
  },
  'gc-syscalls': ({ result: r }) => {
    assert.ok((r.maps['@gcs'] as number) >= 2)
    const ids = Object.keys(m(r, '@syscalls')).map(Number)
    assert.ok(ids.length >= 1 && ids.every((i) => Number.isInteger(i) && i >= 0 && i < 512), JSON.stringify(ids))
  },
  'heap-resize': ({ result: r }) => {
    for (const l of r.printf) {
      const x = /^(grow|shrink) +(\d+) KiB -> (\d+) KiB$/.exec(l)
      assert.ok(x, l)
      assert.ok(x![1] === 'grow' ? +x![3] > +x![2] : +x![3] < +x![2], l)
    }
    assert.is(r.printf.length, ((r.maps['@grows'] as number) ?? 0) + ((r.maps['@shrinks'] as number) ?? 0))
  },
  'slow-requests': ({ result: r, truth }) => {
    // the 5 /slow (>= 40 ms) always; any other line must be a request the client itself timed at
    // >= its printed duration (the server-side time is part of the client's), at most one line each
    const slow = r.printf.filter((l) => /^GET +\/slow +200 +(\d+) ms$/.test(l))
    assert.is(slow.length, 5, r.printf.join('\n'))
    for (const l of slow) assert.ok(+/(\d+) ms$/.exec(l)![1] >= 39, l)
    const spare = (truth.http.clientOver20ms as { url: string; ms: number }[]).filter((x) => x.url !== '/slow')
    const others = r.printf.filter((l) => !slow.includes(l))
    for (const l of others) {
      const x = /^GET +(\/\w+) +(200|404) +(\d+) ms$/.exec(l)
      assert.ok(x, l)
      const at = spare.findIndex((c) => c.url === x![1] && c.ms >= +x![3])
      assert.ok(at >= 0, `${l}: the client timed no such slow ${x![1]} (${JSON.stringify(spare)})`)
      spare.splice(at, 1)
    }
    const expected: Record<string, number> = { 'GET,/slow': 5 }
    for (const l of others) { const k = `GET,${/^GET +(\S+)/.exec(l)![1]}`; expected[k] = (expected[k] ?? 0) + 1 }
    assert.equal(m(r, '@slow'), expected)
    if (others.length) console.log(`# slow-requests: ${others.length} more than 20 ms under load: ${others.join(' | ')}`)
  },
  'requests-by-status': ({ result: r }) => {
    const sum: Record<string, number> = {}
    for (const p of r.series['@requests'] ?? []) for (const [k, v] of Object.entries(p as Record<string, number>)) sum[k] = (sum[k] ?? 0) + v
    assert.equal(sum, { 200: 31, 404: 7 })
    assert.ok(r.printf.some((l) => /^\d\d:\d\d:\d\d$/.test(l)), 'a per-second print (time line)')
  },
  'http-latency': ({ result: r }) => {
    assert.is(h(r, '@latency_us', 'GET,/fast')!.summary.count, 23)
    assert.is(h(r, '@latency_us', 'GET,/missing')!.summary.count, 7)
    assert.is(h(r, '@latency_us', 'GET,/alloc')!.summary.count, 3)
    const slow = h(r, '@latency_us', 'GET,/slow')!
    assert.is(slow.summary.count, 5)
    assert.ok(slow.summary.min >= 32e6 && slow.summary.p50 >= 39e6, JSON.stringify(slow.summary))
  },
  'http-client-latency': ({ result: r }) => {
    assert.is(r.maps['@responses'], 38)
    assert.is(h(r, '@latency_us', '200')!.summary.count, 31)
    assert.is(h(r, '@latency_us', '404')!.summary.count, 7)
  },
  'alloc-by-function': ({ result: r }) => {
    // allocateLots allocates ~4 MB per /alloc request (3 of them); blockTheLoop's Date.now()
    // loop allocates heap numbers too (measured ~100 MB in 450 ms), so both lead the ranking.
    const rows = Object.entries(m(r, '@alloc_bytes')).sort((a, b) => b[1] - a[1])
    const lots = rows.findIndex(([k]) => k.startsWith('allocateLots,'))
    assert.ok(lots >= 0 && lots <= 1, JSON.stringify(rows.slice(0, 3)))
    assert.ok(rows[lots][1] >= 6e6 && rows[lots][1] <= 40e6, `allocateLots ${rows[lots][1]} bytes for 3 × ~4 MB`)
  },
  'loop-lag': ({ result: r }) => {
    const e = h(r, '@lag_us')!
    assert.ok(e.summary.count >= 10)
    const max = r.maps['@max_lag_us'] as number
    // ≥ 40 ms: the 150 ms blocks; the upper bound catches a unit error (ns would be ≥ 1.5e8),
    // not load: a 1.22 s maximum was measured with load average 7 on this 2-core machine.
    assert.ok(max >= 40_000 && max < 10_000_000, `max lag ${max} µs`)
  },
  'loop-lag-stacks': ({ result: r }) => {
    const spikes = r.printf.filter((l) => /^lag spike \d+ ms$/.test(l))
    assert.ok(spikes.length >= 2 && (r.maps['@spikes'] as number) >= spikes.length, `${r.printf.join('\n')} @spikes=${r.maps['@spikes']}`)
    // blockTheLoop spins on Date.now(): its samples end in V8's Runtime_DateCurrentTime, whose
    // caller frame is blockTheLoop's JS code. Native symbols resolve exactly; the JS frame's
    // name comes from the append-only perf map, where freed-and-reused code leaves stale
    // entries (measured: 7084 duplicate start addresses after 16 batches; blockTheLoop's
    // optimized code at the same range as an old readline module wrapper) and bcc picks one
    // of the overlapping entries. So: the caller must be a perf-map JS frame; its name is
    // logged, and when it is not blockTheLoop that is the stale-entry case, not a failure.
    // bpftrace reads the perf map once per run (the one-liner's user-symbol cache), during its
    // first print: callers there all resolve; in later prints, code compiled since then may
    // print as an address.
    const callersOf = (print: unknown): string[] => Object.keys(print as object)
      .map((s) => s.split('\n').map((f) => f.trim()).filter(Boolean))
      .map((fr) => ({ fr, at: fr.findIndex((f) => f.startsWith('v8::internal::Runtime_DateCurrentTime')) }))
      .filter(({ at }) => at >= 0)
      .map(({ fr, at }) => fr.slice(at + 1).find((f) => !/^(v8::|Builtins_)/.test(f)))
      .filter((f): f is string => f !== undefined)
    const prints = r.series['@recent'] ?? []
    const callers = prints.flatMap(callersOf)
    assert.ok(callers.length >= 1, `a spike stack shows the Date.now() runtime call (${prints.length} stack prints for ${spikes.length} spikes)`)
    const js = (f: string): boolean => /^(JS|Eval):[~^*+]/.test(f)
    assert.ok(callersOf(prints[0]).every(js), `caller frames of the first print resolved through the perf map: ${callersOf(prints[0]).join(' | ')}`)
    assert.ok(callers.every((f) => js(f) || /^0x[0-9a-f]+$/.test(f)), `caller frames are JS frames or addresses: ${callers.join(' | ')}`)
    console.log(`# loop-lag-stacks: ${prints.length} stack prints, Date.now() callers ${[...new Set(callers.map((f) => f.replace(/\+\d+$/, '')))].join(' | ')}`)
  },
  'func-calls': ({ result: r }) => {
    assert.is(byPrefix(m(r, '@calls'), 'tracedWork,'), 17)
    assert.is(byPrefix(m(r, '@calls'), 'tracedLeaf,'), 34)
  },
  'func-time': ({ result: r }) => {
    assert.is(h(r, '@time_ns', 'tracedWork')!.summary.count, 17)
    assert.is(h(r, '@time_ns', 'tracedLeaf')!.summary.count, 34)
  },
  'func-duration': ({ result: r }) => {
    assert.is(h(r, '@duration_ns', 'tracedWork')!.summary.count, 17)
    assert.ok(m(r, '@total_ns').tracedWork > m(r, '@total_ns').tracedLeaf, 'inclusive time of the caller exceeds its leaves')
    assert.ok(m(r, '@total_ns').blockTheLoop >= 3 * 145e6, `blockTheLoop ${m(r, '@total_ns').blockTheLoop} ns`) // Date.now() loop: ms granularity
  },
  'offcpu-main': ({ result: r, elapsedMs }) => {
    const us = r.maps['@offcpu_total_us'] as number
    assert.ok(us >= 500_000 && us <= elapsedMs * 1000, `off-CPU ${us} µs in ${elapsedMs} ms`)
  },
  'user-probes': ({ result: r }) => {
    // job__done('job', i) for i in 0..12: relay arg2 is the string (0), arg3 is i (sum 78).
    assert.is(m(r, '@fires')['olapp,job__done'], 13)
    assert.is(m(r, '@arg0_sum')['olapp,job__done'], 0)
    assert.is(m(r, '@arg1_sum')['olapp,job__done'], 78)
  },
  'user-provider': ({ result: r }) => {
    const fires = m(r, '@fires')
    assert.is(byPrefix(Object.fromEntries(Object.entries(fires).map(([k, v]) => [k.replace(/^.*:olapp:/, 'olapp:'), v])), 'olapp:job__done'), 13)
  },
  'compat-gc': ({ result: r }) => { assert.ok(h(r, '@gc_us', '4')!.summary.count >= 2) },
  'compat-http': ({ result: r }) => { assert.equal(m(r, '@requests'), { 'GET,/fast': 23, 'GET,/missing': 7, 'GET,/slow': 5, 'GET,/alloc': 3 }) },
}

test('every library one-liner has a check here', () => {
  assert.equal(oneLiners.map((o) => o.name).filter((n) => !checks[n]), [])
})

if (skip) test.skip(`one-liners against a real process (${skip})`, () => {})
else {
  let w: Workload
  test.before(async () => { w = await startWorkload() })
  test.after(async () => { await w?.close() })
  for (const o of oneLiners) {
    test(`${o.name}: ${o.description}`, async () => {
      // gc-rate prints once a second and its check wants two prints: two seconds attached
      const x = await traceBatch(w, o.name, o.name === 'user-provider' ? 'olapp' : undefined, o.name === 'gc-rate' ? 2200 : 0)
      if (o.name === 'user-provider') assert.ok(x.truth.jobsEnabled, 'olapp:job__done enabled by bpftrace')
      if (o.name === 'user-probes') assert.ok(x.truth.jobsProvider, 'olapp provider created')
      try { checks[o.name](x) } catch (e) {
        console.log(`# ${o.name} result: ${JSON.stringify({ notes: x.result.notes, exitCode: (x.result as any).exitCode, stderr: (x.result as any).stderr, prints: x.result.prints, lost: x.result.lostEvents, elapsedMs: x.elapsedMs, printf: x.result.printf.slice(0, 20), printsPerMap: Object.fromEntries(Object.entries(x.result.series).map(([k, v]) => [k, v.length])), maps: x.result.maps }).slice(0, 3000)}`)
        throw e
      }
    })
  }
}

test.run()
