// HTTP server and client hook: diagnostics_channel -> sonde http__* probes, the compat `node`
// provider's http__* probes, and httpEvents for collectors. Subscribed only while one of those
// probes is enabled or httpEvents has a listener (probe-gate.ts), so an untraced server pays
// nothing but the gate's poll.
//
// Channels (Node >= 20): http.server.request.start / http.server.response.finish carry
// { request, response, socket, server }; http.client.request.start carries { request } and
// http.client.response.finish { request, response } (published when the response head arrives).
// A request that started while the hook was off, or before its latest subscription, is not
// paired: its finish is ignored.
//
// Per-request cost (bench/collectors-http-path.ts): one clock read per phase (the addon's,
// request-context.ts monotonicNs), no closure and no retained object per request; ids, start
// times and methods are kept as http-ids.ts says (nothing added to a server request). The URL
// is read again at finish (express keeps the original in `originalUrl`); event objects are
// built only while httpEvents has a (non-passive) listener.
//
// The in-process collectors do not get events: for server requests the hook appends a few
// numbers and references to httpServerLog (runtime-events.ts) and the collectors aggregate them
// in batches, so the per-request path touches one small function and a few sequential slots
// instead of an event object and two listeners' code and maps (which run cold between requests
// in a real server: express and Node's http evict them). A request is logged once, at its finish,
// with what the labels need: express's route path and mount path when it set them, else the URL.
// Only request-cost's measured requests (a token bucket of log.measuredPerSec, ≤ 200/s by
// default) are logged at start too, and measured by async context (request-context.ts) from
// their start to their finish; their finish entry carries the CPU, allocation and GC time of the
// request's own code, so request-cost keeps no state for the requests it does not measure.
//
// Reads of the request and response after the app has run go through Reflect.get (`late`), not
// `req.route`: under express, consecutive requests (and responses) do not share a hidden class
// (%HaveSameMap is false; express re-prototypes both, V8 keeps migrating their maps), so a
// property load compiled as an inline cache misses into the runtime on every request (~2 000
// instructions each; `node --log-ic`: express's own code takes ~110 such misses per request,
// the hook added 3: route, baseUrl, statusCode). Reflect.get
// compiles to V8's generic GetProperty builtin, which looks the property up without the runtime
// (bench/collectors-instructions.ts). The method is read at start, before express has run.
import diagnostics_channel from 'node:diagnostics_channel'
import type { IncomingMessage, ServerResponse, ClientRequest } from 'node:http'
import type { Socket } from 'node:net'
import { httpEvents, httpServerLog, HTTP_LOG_START, HTTP_LOG_FINISH } from '../runtime-events'
import { createHookGuard } from './hook-guard'
import { TokenBucket } from '../measure-budget'
import { costBegin, costEnd, costOut, monotonicNs } from '../request-context'
import { gateOn, type Fireable } from './probe-gate'
import { begin, forgetInFlight, holdId, late, methodOf, tag, tagOf, takeId, takeStart, type SocketTagged } from './http-ids'

export { httpHookLostStarts } from './http-ids'

type Id = number
export interface HttpProbeSet {
  sonde: {
    http__server__request: Fireable<[string, string, Id]>
    http__server__response: Fireable<[string, string, number, number, Id]>
    http__client__request: Fireable<[string, string, Id]>
    http__client__response: Fireable<[string, string, number, number, Id]>
  }
  node: {
    http__server__request: Fireable<[string, number, string, string, number]>
    http__server__response: Fireable<[string, number, number]>
    http__client__request: Fireable<[string, number, string, string, number]>
    http__client__response: Fireable<[string, number, number]>
  }
}

const CHANNELS = {
  serverStart: 'http.server.request.start',
  serverFinish: 'http.server.response.finish',
  clientStart: 'http.client.request.start',
  clientFinish: 'http.client.response.finish',
} as const

/** Marks sonde's own servers (dashboard, /metrics endpoint): their requests are not the app's
 * traffic, so they get no id, fire no probe and reach no collector (a scrape would otherwise be
 * counted as a `GET /metrics 200` of the app). Symbol.for: every copy of sonde agrees. */
const kInternalServer = Symbol.for('sonde.internalServer')
export function markInternalServer(server: object): void { (server as Record<symbol, unknown>)[kInternalServer] = true }
// The log's columns are allocated at the first request (allocateLog), not at load: a program
// that serves no HTTP does not carry them (~0.5 MB).
let logReady = false

// Module-local references to the log and its columns: one load fewer per access than through
// the module binding (which tsx, used by the benches, even compiles to a getter call).
const log = httpServerLog
let { kind: logKind, id: logId, ns: logNs, startNs: logStartNs, status: logStatus, cpuNs: logCpuNs, allocBytes: logAlloc, gcNs: logGcNs, looseGcNs: logLooseGc, method: logMethod, route: logRoute, base: logBase, url: logUrl } = log
const LOG_MASK = log.size - 1, LOG_QUARTER = (log.size >> 2) - 1

function allocateLog(): void {
  logReady = true
  log.ensure()
  ;({ kind: logKind, id: logId, ns: logNs, startNs: logStartNs, status: logStatus, cpuNs: logCpuNs, allocBytes: logAlloc, gcNs: logGcNs, looseGcNs: logLooseGc, method: logMethod, route: logRoute, base: logBase, url: logUrl } = log)
}
const bucket = new TokenBucket()

/**
 * A measured request whose client went away before the response finished gets no finish
 * event: its response's 'close' (emitted after 'finish' otherwise, when costEnd finds the request
 * already ended) ends the measurement, so its slot is freed and the hooks go off after the last.
 */
function endOnClose(this: ServerResponse): void {
  try {
    const id = tagOf(this)
    if (typeof id === 'number') costEnd(id)
  } catch { /* never into the host's event */ }
}

/** A measured request (request-cost's budget allows one more): measured from here, and its start entry. */
function measureStart(id: number, now: number, response: ServerResponse | undefined): void {
  if (!bucket.take(now, log.measuredPerSec)) return
  costBegin(id)
  if (response) { tag(response, id); response.on('close', endOnClose) }
  const seq = log.seq++, k = seq & LOG_MASK
  logKind[k] = HTTP_LOG_START; logId[k] = id; logNs[k] = now
  if ((seq & LOG_QUARTER) === LOG_QUARTER) log.drainAll()
}

function logFinish(request: IncomingMessage, id: number, startNs: number, now: number, status: number): void {
  const seq = log.seq++, k = seq & LOG_MASK
  logKind[k] = HTTP_LOG_FINISH; logId[k] = id; logNs[k] = now; logStartNs[k] = startNs; logStatus[k] = status
  logMethod[k] = methodOf(id)
  const route = (late(request, 'route') as { path?: unknown } | undefined)?.path
  if (typeof route === 'string') {
    const base = late(request, 'baseUrl')
    logRoute[k] = route; logBase[k] = typeof base === 'string' ? base : undefined
  } else {
    const o = late(request, 'originalUrl')
    logRoute[k] = undefined; logUrl[k] = typeof o === 'string' ? o : request.url
  }
  if (costEnd(id, seq)) { logCpuNs[k] = costOut.cpuNs; logAlloc[k] = costOut.allocBytes; logGcNs[k] = costOut.gcNs; logLooseGc[k] = costOut.looseGcNs }
  else logCpuNs[k] = -1
  if ((seq & LOG_QUARTER) === LOG_QUARTER) log.drainAll()
}

function fdOf(socket: Socket | null | undefined): number {
  const fd = (socket as unknown as { _handle?: { fd?: unknown } } | null)?._handle?.fd
  return typeof fd === 'number' ? fd : -1
}

/** Express sets req.route while routing; baseUrl carries the mount path of a sub-router. */
function routeOf(req: IncomingMessage): string | undefined {
  const path = (late(req, 'route') as { path?: unknown } | undefined)?.path
  if (typeof path !== 'string') return undefined
  const base = late(req, 'baseUrl')
  return (typeof base === 'string' ? base : '') + path
}

/** The URL the request arrived with (express rewrites req.url inside mounted routers). */
function serverUrl(req: IncomingMessage): string {
  const o = late(req, 'originalUrl')
  return typeof o === 'string' ? o : req.url ?? ''
}

function clientUrl(req: ClientRequest): string { return `${req.protocol}//${req.host}${req.path}` }

export function installHttpHook(probes: HttpProbeSet): () => void {
  const guard = createHookGuard('http')
  const { sonde, node } = probes
  const sReq = sonde.http__server__request, sRes = sonde.http__server__response
  const cReq = sonde.http__client__request, cRes = sonde.http__client__response
  const nsReq = node.http__server__request, nsRes = node.http__server__response
  const ncReq = node.http__client__request, ncRes = node.http__client__response

  function serverStart(msg: { request: IncomingMessage; response?: ServerResponse; socket: Socket; server?: unknown }): void {
    if ((msg.server as Record<symbol, unknown> | undefined)?.[kInternalServer] === true) return  // sonde's own dashboard / metrics traffic
    const request = msg.request
    const startNs = monotonicNs()
    if (!logReady) allocateLog()
    const id = begin(startNs, request.method)
    holdId(msg.socket as unknown as SocketTagged, request, id)
    if (sReq.enabled) sReq.fire(request.method ?? '', request.url ?? '', id)
    if (nsReq.enabled) { const s = msg.socket; nsReq.fire(s?.remoteAddress ?? '', s?.remotePort ?? 0, request.method ?? '', request.url ?? '', fdOf(s)) }
    if (log.measuredPerSec > 0 && log.active) measureStart(id, startNs, msg.response)
    if (httpEvents.active) httpEvents.emitActive({ side: 'server', phase: 'request', requestId: id, method: request.method ?? '', url: request.url ?? '', startNs })
  }

  function serverFinish(msg: { request: IncomingMessage; response: ServerResponse; socket: Socket }): void {
    const request = msg.request
    const id = takeId(msg.socket as unknown as SocketTagged, request)
    const startNs = takeStart(id)
    if (startNs < 0) return
    const now = monotonicNs()
    const durationNs = now - startNs
    const status = late(msg.response, 'statusCode') as number
    if (log.active) logFinish(request, id, startNs, now, status)
    if (sRes.enabled) sRes.fire(request.method ?? '', serverUrl(request), status, durationNs, id)
    if (nsRes.enabled) { const s = msg.socket; nsRes.fire(s?.remoteAddress ?? '', s?.remotePort ?? 0, fdOf(s)) }
    if (httpEvents.active) {
      httpEvents.emitActive({ side: 'server', phase: 'response', requestId: id, method: request.method ?? '', url: serverUrl(request), route: routeOf(request), status, startNs, durationNs })
    }
  }

  function clientStart(msg: { request: ClientRequest }): void {
    const request = msg.request
    const startNs = monotonicNs()
    const id = begin(startNs, undefined)
    tag(request, id)
    if (cReq.enabled || ncReq.enabled || httpEvents.active) {
      const url = clientUrl(request)
      if (cReq.enabled) cReq.fire(request.method, url, id)
      if (ncReq.enabled) { const s = request.socket; ncReq.fire(s?.remoteAddress ?? '', s?.remotePort ?? 0, request.method, url, fdOf(s)) }
      if (httpEvents.active) httpEvents.emitActive({ side: 'client', phase: 'request', requestId: id, method: request.method, url, startNs })
    }
  }

  function clientFinish(msg: { request: ClientRequest; response: IncomingMessage }): void {
    const request = msg.request
    const id = tagOf(request) as number
    const startNs = takeStart(id)
    if (startNs < 0) return
    const durationNs = monotonicNs() - startNs
    const status = msg.response.statusCode ?? 0
    if (cRes.enabled) cRes.fire(request.method, clientUrl(request), status, durationNs, id)
    if (ncRes.enabled) { const s = request.socket; ncRes.fire(s?.remoteAddress ?? '', s?.remotePort ?? 0, fdOf(s)) }
    if (httpEvents.active) httpEvents.emitActive({ side: 'client', phase: 'response', requestId: id, method: request.method, url: clientUrl(request), route: undefined, status, startNs, durationNs })
  }

  // Inline try/catch, not guard.run(() => ...): no closure per request.
  const onServerStart = (msg: unknown): void => {
    if (!guard.on) return
    try { serverStart(msg as { request: IncomingMessage; socket: Socket }) } catch (err) { guard.fault(err) }
  }
  const onServerFinish = (msg: unknown): void => {
    if (!guard.on) return
    try { serverFinish(msg as { request: IncomingMessage; response: ServerResponse; socket: Socket }) } catch (err) { guard.fault(err) }
  }
  const onClientStart = (msg: unknown): void => {
    if (!guard.on) return
    try { clientStart(msg as { request: ClientRequest }) } catch (err) { guard.fault(err) }
  }
  const onClientFinish = (msg: unknown): void => {
    if (!guard.on) return
    try { clientFinish(msg as { request: ClientRequest; response: IncomingMessage }) } catch (err) { guard.fault(err) }
  }
  const handlers: [string, (msg: unknown) => void][] = [
    [CHANNELS.serverStart, onServerStart], [CHANNELS.serverFinish, onServerFinish],
    [CHANNELS.clientStart, onClientStart], [CHANNELS.clientFinish, onClientFinish],
  ]

  let subscribed = false
  function set(live: boolean): void {
    if (live === subscribed || (live && !guard.on)) return
    subscribed = live
    // Requests that started before this subscription are not ours to pair (or count in flight).
    if (live) forgetInFlight()
    for (const [name, fn] of handlers) {
      if (live) diagnostics_channel.subscribe(name, fn)
      else diagnostics_channel.unsubscribe(name, fn)
    }
  }
  const ungate = gateOn([...Object.values(sonde), ...Object.values(node)], [httpEvents, log], (live) => guard.run(() => set(live)))
  guard.onTrip(() => { ungate(); set(false) })
  return () => { ungate(); set(false) }
}
