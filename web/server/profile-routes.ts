// Profile API: upload (raw body, at most maxUploadBytes), list, call graph (SVG, JSON for the
// side panel), flame tree, exports, and a live CPU recording of this process. The parsing and
// rendering run in the profile worker (profile-jobs.ts); this thread only moves bytes. Bad
// input answers 400 with the importer's one-line reason; a worker over its limits 503.
import express, { type Request, type Response, type Router } from 'express'
import type { Body } from './profile-ops'
import { JobError, type ProfileJobs } from './profile-jobs'
import { recordCpuProfile, RecordBusyError } from './cpu-record'

/** Default upload cap: a 10^6-name folded profile is ~17 MB. */
export const MAX_UPLOAD_BYTES = 32 * 1024 * 1024

function fail(res: Response, err: unknown): void {
  if (res.headersSent) { res.end(); return }
  const status = err instanceof JobError ? err.status : err instanceof RecordBusyError ? 409 : 500
  res.status(status).json({ error: String((err as Error)?.message ?? err).split('\n')[0] })
}

function send(res: Response, b: Body): void {
  if (b.filename) res.setHeader('Content-Disposition', `attachment; filename="${b.filename}"`)
  res.type(b.type).send(b.body)
}

export function profileRoutes(jobs: ProfileJobs, maxUploadBytes = MAX_UPLOAD_BYTES): Router {
  const r = express.Router()
  const upload = express.raw({ type: () => true, limit: maxUploadBytes })
  const wrap = (fn: (req: Request, res: Response) => Promise<void>) => async (req: Request, res: Response) => {
    try { await fn(req, res) } catch (err) { fail(res, err) }
  }
  const q = (req: Request) => req.query as Record<string, unknown>
  const id = (req: Request) => String(req.params.id)

  r.get('/profiles', (_req, res) => { res.json(jobs.list()) })

  r.post('/profiles', upload, wrap(async (req, res) => {
    const name = typeof req.query.name === 'string' && req.query.name ? req.query.name.slice(0, 200) : 'upload'
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0)
    res.status(201).json(await jobs.add(name, body, 'upload'))
  }))

  r.post('/record', wrap(async (req, res) => {
    const s = req.query.seconds === undefined || req.query.seconds === '' ? 5 : Number(req.query.seconds)
    if (!(s >= 0.2 && s <= 60)) throw new JobError('seconds must be a number in 0.2..60', 400)
    const text = await recordCpuProfile(s)
    const name = `live-${process.pid}-${new Date().toISOString().replace(/[:.]/g, '-')}.cpuprofile`
    res.status(201).json(await jobs.add(name, Buffer.from(text), 'record'))
  }))

  r.get('/profiles/:id/callgraph.svg', wrap(async (req, res) => { send(res, await jobs.run('svg', { id: id(req), query: q(req) })) }))
  r.get('/profiles/:id/callgraph.json', wrap(async (req, res) => { send(res, await jobs.run('graph', { id: id(req), query: q(req) })) }))
  r.get('/profiles/:id/flame.json', wrap(async (req, res) => { send(res, await jobs.run('flame', { id: id(req), query: q(req) })) }))
  r.get('/profiles/:id/export.:fmt', wrap(async (req, res) => {
    send(res, await jobs.run('export', { id: id(req), fmt: String(req.params.fmt), query: q(req) }))
  }))

  return r
}
