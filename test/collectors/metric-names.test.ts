// SONDE_METRICS_NAMES and the prom-client names: from one scrape, the same GC and event-loop
// quantities read under nodejs_* and sonde_* names agree (GC: bucket by bucket, sum and count;
// event loop: mean = sum/count, each percentile inside the power-of-two bucket the sonde
// histogram puts that rank in); heap spaces are V8's.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import v8 from 'node:v8'
import vm from 'node:vm'
import { startCollectors, stopCollectors, collectors } from '../../collectors/index'
import { parseMetricNames, metricNamesFromEnv } from '../../collectors/metric-names'

v8.setFlagsFromString('--expose-gc')
const gc = vm.runInNewContext('gc') as () => void
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

interface Sample { name: string; labels: Record<string, string>; value: number }
function parse(text: string): Sample[] {
  const out: Sample[] = []
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line)
    if (!m) continue
    const labels: Record<string, string> = {}
    for (const l of (m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)) labels[l[1]] = l[2]
    out.push({ name: m[1], labels, value: Number(m[3]) })
  }
  return out
}
const pick = (s: Sample[], name: string, labels: Record<string, string> = {}) =>
  s.filter((x) => x.name === name && Object.entries(labels).every(([k, v]) => x.labels[k] === v))
const one = (s: Sample[], name: string, labels: Record<string, string> = {}) => {
  const r = pick(s, name, labels)
  assert.is(r.length, 1, `${name} ${JSON.stringify(labels)}: ${r.length} samples`)
  return r[0].value
}

test('SONDE_METRICS_NAMES parsing', () => {
  assert.equal(parseMetricNames(undefined), { sonde: true, promClient: true, otel: true })
  assert.equal(parseMetricNames('sonde'), { sonde: true, promClient: false, otel: false })
  assert.equal(parseMetricNames('prom-client, otel'), { sonde: false, promClient: true, otel: true })
  assert.equal(parseMetricNames('all'), { sonde: true, promClient: true, otel: true })
  assert.throws(() => parseMetricNames('sonde,prometheus'), /SONDE_METRICS_NAMES: unknown name set "prometheus"/)
  const warnings: string[] = []
  const onWarn = (w: Error & { code?: string }) => warnings.push(`${w.code}: ${w.message}`)
  process.on('warning', onWarn)
  assert.equal(metricNamesFromEnv({ SONDE_METRICS_NAMES: 'bogus' }), { sonde: true, promClient: true, otel: true })
  return new Promise<void>((r) => setImmediate(r)).then(() => {
    process.off('warning', onWarn)
    assert.equal(warnings, ['SONDE_CONFIG: sonde: SONDE_METRICS_NAMES="bogus": unknown name set "bogus" (use sonde, prom-client, otel or all, comma-separated); using the default (all)'])
  })
})

test('one scrape: nodejs_gc_duration_seconds and nodejs_eventloop_lag_* agree with sonde_*', async () => {
  startCollectors({ collectors: ['gc', 'eventloop'], intervalMs: 3_600_000 })
  try {
    for (let i = 0; i < 5; i++) gc()
    let junk: unknown[] = []
    for (let i = 0; i < 200_000; i++) { junk.push({ i }); if (junk.length > 1000) junk = [] }  // scavenges
    await sleep(50)  // the delay monitor's timer is running
    const t0 = Date.now(); while (Date.now() - t0 < 30) { /* one late timer for the delay histogram */ }
    await sleep(100)
    const s = parse(await collectors.metrics())
    // GC: prom-client's kinds are sums of sonde's.
    const kinds: Record<string, string[]> = { minor: ['scavenge', 'minor_mark_compact'], major: ['mark_sweep_compact'], incremental: ['incremental_marking'], weakcb: ['weak_callbacks'] }
    assert.ok(one(s, 'nodejs_gc_duration_seconds_count', { kind: 'major' }) >= 5)
    assert.ok(one(s, 'nodejs_gc_duration_seconds_count', { kind: 'minor' }) >= 1)
    for (const [kind, parts] of Object.entries(kinds)) {
      const mine = pick(s, 'nodejs_gc_duration_seconds_bucket', { kind })
      const theirs = (le: string) => parts.reduce((a, k) => a + (pick(s, 'sonde_gc_duration_seconds_bucket', { kind: k, le })[0]?.value ?? 0), 0)
      for (const b of mine) assert.is(b.value, theirs(b.labels.le), `${kind} le=${b.labels.le}`)
      const sum = (n: string) => parts.reduce((a, k) => a + (pick(s, `sonde_gc_duration_seconds_${n}`, { kind: k })[0]?.value ?? 0), 0)
      if (mine.length === 0) { assert.is(sum('count'), 0, kind); continue }
      assert.is(one(s, 'nodejs_gc_duration_seconds_count', { kind }), sum('count'), `${kind} count`)
      assert.ok(Math.abs(one(s, 'nodejs_gc_duration_seconds_sum', { kind }) - sum('sum')) <= 1e-12, `${kind} sum`)
    }
    assert.is(pick(s, 'nodejs_gc_duration_seconds_count').length, pick(s, 'nodejs_gc_duration_seconds_count').filter((x) => x.labels.kind in kinds).length, 'only prom-client kinds')
    // Event loop.
    const count = one(s, 'sonde_eventloop_delay_seconds_count'), sum = one(s, 'sonde_eventloop_delay_seconds_sum')
    assert.ok(count > 0)
    assert.ok(Math.abs(one(s, 'nodejs_eventloop_lag_mean_seconds') - sum / count) <= 1e-12, 'mean = sum / count')
    const buckets = pick(s, 'sonde_eventloop_delay_seconds_bucket').map((b) => ({ le: b.labels.le === '+Inf' ? Infinity : Number(b.labels.le), n: b.value }))
    for (const [q, name] of [[0.5, 'p50'], [0.9, 'p90'], [0.99, 'p99']] as const) {
      const v = one(s, `nodejs_eventloop_lag_${name}_seconds`)
      const i = buckets.findIndex((b) => b.n >= q * count)
      const lo = i > 0 ? buckets[i - 1].le : 0
      assert.ok(v >= lo && v <= buckets[i].le, `${name} ${v} in [${lo}, ${buckets[i].le}]`)
    }
    const max = one(s, 'nodejs_eventloop_lag_max_seconds')
    assert.ok(max >= 0.02, `max ${max} includes the 30 ms busy loop`)
    assert.ok(buckets.find((b) => b.le >= max)!.n === count, 'max is inside the histogram')
    // Heap spaces: V8's names without `_space`, as prom-client labels them.
    const spaces = pick(s, 'nodejs_heap_space_size_total_bytes').map((x) => x.labels.space).sort()
    assert.equal(spaces, v8.getHeapSpaceStatistics().map((x) => x.space_name.replace(/_space$/, '')).sort())
    assert.ok(one(s, 'nodejs_heap_size_used_bytes') <= one(s, 'nodejs_heap_size_total_bytes'))
  } finally { stopCollectors() }
})

test('SONDE_METRICS_NAMES=sonde / prom-client choose the names', async () => {
  for (const [spec, has, hasNot] of [['sonde', /^sonde_gc_duration_seconds_count/m, /^nodejs_/m], ['prom-client', /^nodejs_gc_duration_seconds_count/m, /^sonde_/m]] as const) {
    process.env.SONDE_METRICS_NAMES = spec
    startCollectors({ collectors: ['gc', 'eventloop'] })
    try {
      gc()
      await sleep(100)  // the GC ring is drained on the loop
      const text = await collectors.metrics()
      assert.match(text, has, spec)
      assert.not.match(text, hasNot, spec)
    } finally { stopCollectors(); delete process.env.SONDE_METRICS_NAMES }
  }
})

test.run()
