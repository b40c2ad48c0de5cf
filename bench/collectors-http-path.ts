// Per-request cost of sonde's HTTP path in one process, without sockets or express: the loop
// does what Node's http server does per request once someone subscribes (builds the
// { request, response, socket, server } message and publishes it on http.server.request.start
// and http.server.response.finish), with a fresh IncomingMessage/ServerResponse pair per
// iteration as a real server has (real Node objects, so property access costs what it costs on
// them; express's req.route/baseUrl are set before the finish). Variants, alternated within each round, median ns per request over rounds:
//   bare        the same loop with no subscriber (Node skips the publish: hasSubscribers false)
//   hook        the HTTP hook subscribed, writing httpServerLog for a reader that does nothing
//               (what the collectors ask of the hook)
//   events      the HTTP hook subscribed for an httpEvents listener that does nothing (event
//               objects per request: what the dashboard or a probe listener asks of it)
//   http        + the http collector (latency by method/route/status)
//   cost        + the request-cost collector alone
//   both        http + request-cost (what SONDE_COLLECT=default runs on this path)
// Reported: ns added per request over bare, and GCs per 100 k requests (allocation proxy).
// Run: taskset -c 0 node --import tsx bench/collectors-http-path.ts [rounds=7] [requests=200000]
import { PerformanceObserver } from 'node:perf_hooks'
import { installHttpHook } from '../runtime/hooks/http-hook'
import { disabledProbeSet } from '../runtime/hooks/install-hooks'
import { httpEvents, httpServerLog } from '../runtime/runtime-events'
import { createHttpCollector } from '../collectors/http-requests'
import { createRequestCostCollector } from '../collectors/request-cost'
import { RouteTable } from '../collectors/route-template'
import { driveRequests } from './http-path-loop'

const rounds = Number(process.argv[2] ?? 7), N = Number(process.argv[3] ?? 200_000)
let gcs = 0
const gcObserver = new PerformanceObserver((l) => { gcs += l.getEntries().length })
gcObserver.observe({ entryTypes: ['gc'] })

/** N requests of the shared loop (bench/http-path-loop.ts); ns per request (yields included for every variant). */
async function drive(): Promise<number> {
  const t0 = process.hrtime.bigint()
  await driveRequests(N)
  return Number(process.hrtime.bigint() - t0) / N
}

type Variant = { name: string; on: () => () => void }
const noop = (): void => {}
const withHook = (extra: () => () => void) => (): (() => void) => {
  const off1 = extra()
  const unhook = installHttpHook(disabledProbeSet())
  return () => { unhook(); off1() }
}
const variants: Variant[] = [
  { name: 'bare', on: () => noop },
  { name: 'hook', on: withHook(() => httpServerLog.subscribe(noop)) },
  { name: 'events', on: withHook(() => httpEvents.subscribe(noop)) },
  { name: 'http', on: withHook(() => { const c = createHttpCollector({ routes: new RouteTable(100) }); c.start(); return c.stop }) },
  { name: 'cost', on: withHook(() => { const c = createRequestCostCollector({ routes: new RouteTable(100) }); c.start(); return c.stop }) },
  {
    name: 'both', on: withHook(() => {
      const routes = new RouteTable(100)
      const h = createHttpCollector({ routes }), c = createRequestCostCollector({ routes })
      h.start(); c.start()
      return () => { h.stop(); c.stop() }
    }),
  },
]

async function main(): Promise<void> {
  const ns: Record<string, number[]> = Object.fromEntries(variants.map((v) => [v.name, []]))
  const gcPer100k: Record<string, number[]> = Object.fromEntries(variants.map((v) => [v.name, []]))
  for (const v of variants) { const off = v.on(); await drive(); off() }  // warm-up every path
  for (let r = 0; r < rounds; r++) {
    for (const v of r % 2 ? [...variants].reverse() : variants) {
      const off = v.on()
      await new Promise((res) => setImmediate(res))
      const g0 = gcs
      ns[v.name].push(await drive())
      await new Promise((res) => setTimeout(res, 20))  // let the GC observer deliver
      gcPer100k[v.name].push(((gcs - g0) * 1e5) / N)
      off()
    }
  }
  const median = (xs: number[]) => { const a = xs.slice().sort((x, y) => x - y), h = a.length >> 1; return a.length % 2 ? a[h] : (a[h - 1] + a[h]) / 2 }
  const bare = median(ns.bare)
  process.stdout.write(JSON.stringify({
    bench: 'collectors-http-path', rounds, requests: N,
    nsPerRequestMedian: Object.fromEntries(variants.map((v) => [v.name, +median(ns[v.name]).toFixed(1)])),
    nsAddedOverBare: Object.fromEntries(variants.slice(1).map((v) => [v.name, +(median(ns[v.name]) - bare).toFixed(1)])),
    gcsPer100kRequests: Object.fromEntries(variants.map((v) => [v.name, median(gcPer100k[v.name])])),
  }) + '\n')
}
main().catch((e) => { process.stderr.write(String(e?.stack ?? e) + '\n'); process.exit(1) })
