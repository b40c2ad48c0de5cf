// GET /api/snapshot (JSON) and GET /metrics (prom-client text) as plain node:http handlers, so
// the dashboard can mount the same functions in its express app, and a tiny loopback server for
// SONDE_DASHBOARD=PORT until the dashboard takes over. Errors answer 500 with one line; nothing
// here throws into the host.
import type http from 'node:http'
import { markInternalServer } from '../runtime/hooks/http-hook'
import { debuglog } from 'node:util'
import type { Registry } from 'prom-client'
import type { CollectorsSnapshot } from './snapshot'

const debug = debuglog('sonde')

export interface EndpointSources { snapshot(): CollectorsSnapshot; registry(): Registry | undefined }

export function snapshotHandler(src: EndpointSources) {
  return (_req: http.IncomingMessage, res: http.ServerResponse): void => {
    try {
      const body = JSON.stringify(src.snapshot())
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' })
      res.end(body)
    } catch (err) { fail(res, err) }
  }
}

export function metricsHandler(src: EndpointSources) {
  return (_req: http.IncomingMessage, res: http.ServerResponse): void => {
    const reg = src.registry()
    if (!reg) { res.writeHead(503, { 'content-type': 'text/plain' }); res.end('sonde: collectors not started\n'); return }
    reg.metrics().then((text) => {
      res.writeHead(200, { 'content-type': reg.contentType })
      res.end(text)
    }, (err) => fail(res, err))
  }
}

function fail(res: http.ServerResponse, err: unknown): void {
  debug('collectors endpoint error: %s', (err as Error)?.stack ?? err)
  try {
    if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain' })
    res.end(`sonde: ${(err as Error)?.message ?? String(err)}\n`)
  } catch { /* socket gone */ }
}

/** Serve both routes on host:port (loopback by default). Resolves with the server once listening. */
export function serveCollectors(src: EndpointSources, port: number, host = '127.0.0.1'): Promise<http.Server> {
  const snap = snapshotHandler(src), metrics = metricsHandler(src)
  // node:http (and net) loaded only here: an app that serves nothing pays ~1 MB less at start-up.
  const { createServer } = require('node:http') as typeof http
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0]
    if (req.method === 'GET' && path === '/api/snapshot') return snap(req, res)
    if (req.method === 'GET' && path === '/metrics') return metrics(req, res)
    res.writeHead(404, { 'content-type': 'text/plain' })
    res.end('not found\n')
  })
  return new Promise((resolve, reject) => {
    server.once('error', reject)
    markInternalServer(server)
    server.listen(port, host, () => { server.off('error', reject); server.unref(); resolve(server) })
  })
}
