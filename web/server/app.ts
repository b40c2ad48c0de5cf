// The dashboard's express app: security headers on everything; on every data route (/api/*,
// /metrics) the cross-site check first, then the bearer token; the JSON API, the event stream,
// profile routes, /metrics, the bundled client, and a JSON error handler last.
import fs from 'node:fs'
import path from 'node:path'
import express, { type Express } from 'express'
import { collectors } from '../../collectors'
import { securityHeaders, requireToken, requireSameOrigin, requireSameSite } from './security-headers'
import type { StreamHub } from './stream-hub'
import { liveSnapshot, type LiveSnapshot } from './live-feed'
import { profileRoutes } from './profile-routes'
import type { ProfileJobs } from './profile-jobs'
import { listProcesses } from './process-registry'
import { jsonErrors } from './error-handler'
import { processProxy } from './process-proxy'
import { PanelError, type BpftracePanel } from './bpftrace-panel'

export interface AppContext {
  hub: StreamHub
  jobs: ProfileJobs
  maxUploadBytes?: number
  token?: string
  /** 'app': this process is the one observed; 'standalone': profiles and other processes only. */
  mode: 'app' | 'standalone'
  title: string
  streamIntervalMs: number
  /** The snapshot a joining stream client gets first (the live feed's backfill). */
  backfill: () => LiveSnapshot
  bpftrace: BpftracePanel
  /** The address it listens on (loopback: Host headers must be loopback names). */
  listenHost: string
}

/** The bundled client: next to this file in dist/, or dist/web/client when run from sources. */
export function clientDir(): string {
  const near = path.resolve(__dirname, '../client')
  if (fs.existsSync(path.join(near, 'app.js'))) return near
  return path.resolve(__dirname, '../../dist/web/client')
}

export function createDashboardApp(ctx: AppContext): Express {
  const app = express()
  app.disable('x-powered-by')
  app.set('etag', false)
  app.use(securityHeaders)
  app.use(requireSameOrigin(ctx.listenHost))

  const api = express.Router()
  api.use(requireSameSite, requireToken(ctx.token))
  api.get('/status', (_req, res) => {
    const s = ctx.hub.stats()
    const m = process.memoryUsage()
    res.json({
      pid: process.pid, uptimeSeconds: process.uptime(), mode: ctx.mode, title: ctx.title,
      streamClients: s.clients, droppedEvents: s.droppedEvents, sentEvents: s.sentEvents, queuedBytes: s.queuedBytes,
      streamIntervalMs: ctx.streamIntervalMs, collectors: collectors.running ? collectors.snapshot().collectors : [],
      rssBytes: m.rss, heapUsedBytes: m.heapUsed, node: process.version, profileWorker: ctx.jobs.stats(),
    })
  })
  api.get('/snapshot', (_req, res) => { res.json(liveSnapshot()) })
  // The stream's first event is the whole snapshot (the page's backfill), taken as the client
  // joins and in order with the ticks: with the feed's mark (LiveFeed.backfill) every interval
  // still filling at the join reaches the client again with its final count.
  api.get('/stream', (_req, res) => {
    const backfill = () => ({ event: 'backfill', data: JSON.stringify(ctx.backfill()) })
    if (!ctx.hub.add(res, backfill)) res.status(503).json({ error: 'too many open streams: close another tab' })
  })
  // Titles are other processes' command lines (they may carry secrets): only behind a token.
  api.get('/processes', (_req, res) => {
    res.json(listProcesses().map(({ token: _t, title, ...p }) => ({ ...p, title: ctx.token !== undefined ? title : '' })))
  })
  api.get('/bpftrace', (_req, res) => { res.json(ctx.bpftrace.info()) })
  api.post('/bpftrace/start', (req, res) => {
    try { res.json(ctx.bpftrace.start(String(req.query.name ?? ''), Number(req.query.seconds ?? 30))) }
    catch (e) { res.status(e instanceof PanelError ? e.status : 500).json({ error: (e as Error).message }) }
  })
  api.post('/bpftrace/stop', (_req, res) => { res.json(ctx.bpftrace.stop() ?? null) })
  api.use('/', profileRoutes(ctx.jobs, ctx.maxUploadBytes))
  api.all('/proc/:pid/{*rest}', processProxy(ctx.token))
  api.use((_req, res) => { res.status(404).json({ error: 'no such API route' }) })
  app.use('/api', api)
  collectors.registry()  // prom-client is loaded now that /metrics is served, not during the first scrape
  app.get('/metrics', requireSameSite, requireToken(ctx.token), collectors.handlers.metrics)

  const dir = clientDir()
  app.use(express.static(dir, { index: 'index.html', fallthrough: true, maxAge: 0 }))
  app.use((_req, res) => { res.status(404).type('text/plain').send('not found\n') })
  app.use(jsonErrors)
  return app
}
