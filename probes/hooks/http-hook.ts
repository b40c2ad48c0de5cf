// HTTP server and client hook: diagnostics_channel -> sonde http__* probes, the compat `node`
// provider's http__* probes, and httpEvents for collectors. Subscribed only while one of those
// probes is enabled or httpEvents has a listener (probe-gate.ts), so an untraced server pays
// nothing but the gate's poll.
//
// Channels (Node >= 20): http.server.request.start / http.server.response.finish carry
// { request, response, socket, server }; http.client.request.start carries { request } and
// http.client.response.finish { request, response } (published when the response head arrives).
// A request that started while the hook was off has no id and its finish is ignored.
import diagnostics_channel from 'node:diagnostics_channel'
import type { IncomingMessage, ServerResponse, ClientRequest } from 'node:http'
import type { Socket } from 'node:net'
import { httpEvents, type HttpEvent } from '../runtime-events'
import { createHookGuard } from './hook-guard'
import { gateOn, type Fireable } from './probe-gate'

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

interface Started { id: number; startNs: bigint; method: string; url: string }

const CHANNELS = {
  serverStart: 'http.server.request.start',
  serverFinish: 'http.server.response.finish',
  clientStart: 'http.client.request.start',
  clientFinish: 'http.client.response.finish',
} as const

let nextId = 0

function fdOf(socket: Socket | null | undefined): number {
  const fd = (socket as unknown as { _handle?: { fd?: unknown } } | null)?._handle?.fd
  return typeof fd === 'number' ? fd : -1
}

/** Express sets req.route while routing; baseUrl carries the mount path of a sub-router. */
function routeOf(req: IncomingMessage): string | undefined {
  const r = req as IncomingMessage & { route?: { path?: unknown }; baseUrl?: unknown }
  const path = r.route?.path
  if (typeof path !== 'string') return undefined
  return (typeof r.baseUrl === 'string' ? r.baseUrl : '') + path
}

export function installHttpHook(probes: HttpProbeSet): () => void {
  const guard = createHookGuard('http')
  const started = new WeakMap<object, Started>()
  const { sonde, node } = probes

  function begin(side: 'server' | 'client', key: object, method: string, url: string, socket: Socket | null | undefined): void {
    const s: Started = { id: ++nextId, startNs: process.hrtime.bigint(), method, url }
    started.set(key, s)
    const p = side === 'server' ? sonde.http__server__request : sonde.http__client__request
    if (p.enabled) p.fire(method, url, s.id)
    const c = side === 'server' ? node.http__server__request : node.http__client__request
    if (c.enabled) c.fire(socket?.remoteAddress ?? '', socket?.remotePort ?? 0, method, url, fdOf(socket))
    if (httpEvents.active) httpEvents.emit({ side, phase: 'request', requestId: s.id, method, url, startNs: Number(s.startNs) })
  }

  function end(side: 'server' | 'client', key: object, status: number, socket: Socket | null | undefined, route: () => string | undefined): void {
    const s = started.get(key)
    if (!s) return
    started.delete(key)
    const durationNs = Number(process.hrtime.bigint() - s.startNs)
    const p = side === 'server' ? sonde.http__server__response : sonde.http__client__response
    if (p.enabled) p.fire(s.method, s.url, status, durationNs, s.id)
    const c = side === 'server' ? node.http__server__response : node.http__client__response
    if (c.enabled) c.fire(socket?.remoteAddress ?? '', socket?.remotePort ?? 0, fdOf(socket))
    if (httpEvents.active) {
      const ev: HttpEvent = { side, phase: 'response', requestId: s.id, method: s.method, url: s.url, status, startNs: Number(s.startNs), durationNs }
      const r = route()
      if (r !== undefined) ev.route = r
      httpEvents.emit(ev)
    }
  }

  const onServerStart = (msg: unknown): void => {
    guard.run(() => {
      const { request, socket } = msg as { request: IncomingMessage; socket: Socket }
      begin('server', request, request.method ?? '', request.url ?? '', socket)
    })
  }
  const onServerFinish = (msg: unknown): void => {
    guard.run(() => {
      const { request, response, socket } = msg as { request: IncomingMessage; response: ServerResponse; socket: Socket }
      end('server', request, response.statusCode, socket, () => routeOf(request))
    })
  }
  const onClientStart = (msg: unknown): void => {
    guard.run(() => {
      const { request } = msg as { request: ClientRequest }
      const url = `${request.protocol}//${request.host}${request.path}`
      begin('client', request, request.method, url, request.socket)
    })
  }
  const onClientFinish = (msg: unknown): void => {
    guard.run(() => {
      const { request, response } = msg as { request: ClientRequest; response: IncomingMessage }
      end('client', request, response.statusCode ?? 0, request.socket, () => undefined)
    })
  }
  const handlers: [string, (msg: unknown) => void][] = [
    [CHANNELS.serverStart, onServerStart], [CHANNELS.serverFinish, onServerFinish],
    [CHANNELS.clientStart, onClientStart], [CHANNELS.clientFinish, onClientFinish],
  ]

  let subscribed = false
  function set(live: boolean): void {
    if (live === subscribed || (live && !guard.on)) return
    subscribed = live
    for (const [name, fn] of handlers) {
      if (live) diagnostics_channel.subscribe(name, fn)
      else diagnostics_channel.unsubscribe(name, fn)
    }
  }
  const ungate = gateOn([...Object.values(sonde), ...Object.values(node)], [httpEvents], (live) => guard.run(() => set(live)))
  guard.onTrip(() => { ungate(); set(false) })
  return () => { ungate(); set(false) }
}
