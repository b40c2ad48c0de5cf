// Profile API: upload (raw body, imported server-side through the viz importer registry),
// list, call graph (SVG from viz, JSON for the side panel), flame tree, exports, and a live
// CPU recording of this process. Bad input answers 400 with the importer's one-line reason.
import express, { type Request, type Response, type Router } from 'express'
import { importProfileText } from '../../viz/importers'
import { OptionError, ParseError } from '../../viz/model/profile'
import { renderCallGraph, type RenderOptions } from '../../viz/callgraph/render-call-graph'
import { buildCallGraph } from '../../viz/shape/shape'
import { toJsonGraph } from '../../viz/writers/json-writer'
import { toFolded } from '../../viz/writers/folded'
import type { Metric } from '../../viz/shape/shape-options'
import type { ProfileStore, StoredProfile } from './profile-store'
import { toFlameTree } from './flame-tree'
import { recordCpuProfile, RecordBusyError } from './cpu-record'

const METRICS: Metric[] = ['time', 'samples', 'bytes', 'calls']

class BadRequest extends Error {}

function escapeRegExp(s: string): string { return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') }

function num(v: unknown, name: string, min: number, max: number): number | undefined {
  if (v === undefined || v === '') return undefined
  const n = Number(v)
  if (!Number.isFinite(n) || n < min || n > max) throw new BadRequest(`${name} must be a number in ${min}..${max}`)
  return n
}

/** Query → render options. `focus` is a function name matched exactly; `search` never reaches viz. */
export function renderOptions(q: Request['query']): RenderOptions & { key: string } {
  const metric = q.metric === undefined || q.metric === '' ? undefined : String(q.metric) as Metric
  if (metric !== undefined && !METRICS.includes(metric)) throw new BadRequest(`metric must be one of ${METRICS.join(', ')}`)
  const focus = typeof q.focus === 'string' && q.focus !== '' ? q.focus.slice(0, 1000) : undefined
  const o: RenderOptions = {
    metric,
    nodeThres: num(q.nodeThres, 'nodeThres', 0, 100), edgeThres: num(q.edgeThres, 'edgeThres', 0, 100),
    budget: num(q.budget, 'budget', 0, 2000), hidePseudo: q.hidePseudo === '1',
    focus: focus !== undefined ? new RegExp(`^${escapeRegExp(focus)}$`) : undefined,
  }
  const key = JSON.stringify([metric, o.nodeThres, o.edgeThres, o.budget, o.hidePseudo, focus])
  return { ...o, key }
}

function fail(res: Response, err: unknown): void {
  if (res.headersSent) { res.end(); return }
  if (err instanceof ParseError || err instanceof BadRequest || err instanceof OptionError || err instanceof SyntaxError) {
    res.status(400).json({ error: err.message.split('\n')[0] })
  } else if (err instanceof RecordBusyError) {
    res.status(409).json({ error: err.message })
  } else {
    res.status(500).json({ error: String((err as Error)?.message ?? err).split('\n')[0] })
  }
}

function safeName(s: string): string { return s.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80) || 'profile' }

export function profileRoutes(store: ProfileStore): Router {
  const r = express.Router()
  const upload = express.raw({ type: () => true, limit: '64mb' })

  const find = (req: Request): StoredProfile => {
    const p = store.get(String(req.params.id))
    if (!p) throw new BadRequest(`no profile ${String(req.params.id)}`)
    return p
  }
  const wrap = (fn: (req: Request, res: Response) => Promise<void> | void) => async (req: Request, res: Response) => {
    try { await fn(req, res) } catch (err) { fail(res, err) }
  }

  r.get('/profiles', (_req, res) => { res.json(store.list()) })

  r.post('/profiles', upload, wrap((req, res) => {
    const name = typeof req.query.name === 'string' && req.query.name ? req.query.name.slice(0, 200) : 'upload'
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0)
    if (body.length === 0) throw new BadRequest(`${name}: empty upload`)
    const profile = importProfileText(body.toString('utf8'), name)
    res.status(201).json(store.add(profile, 'upload'))
  }))

  r.post('/record', wrap(async (req, res) => {
    const seconds = num(req.query.seconds, 'seconds', 0.2, 60) ?? 5
    const text = await recordCpuProfile(seconds)
    const profile = importProfileText(text, `live-${process.pid}-${new Date().toISOString().replace(/[:.]/g, '-')}.cpuprofile`)
    res.status(201).json(store.add(profile, 'record'))
  }))

  r.get('/profiles/:id/callgraph.svg', wrap(async (req, res) => {
    const p = find(req)
    const { key, ...o } = renderOptions(req.query)
    const svg = await store.render(p.id, key, async () => String(await renderCallGraph(p.profile, { ...o, output: 'svg' })))
    res.type('image/svg+xml').send(svg)
  }))

  r.get('/profiles/:id/callgraph.json', wrap((req, res) => {
    const p = find(req)
    const { key: _key, ...o } = renderOptions(req.query)
    res.json(toJsonGraph(buildCallGraph(p.profile, o)))
  }))

  r.get('/profiles/:id/flame.json', wrap((req, res) => { res.json(toFlameTree(find(req).profile)) }))

  r.get('/profiles/:id/export.:fmt', wrap(async (req, res) => {
    const p = find(req)
    const fmt = String(req.params.fmt)
    const base = safeName(p.name.replace(/\.[a-z]+$/i, ''))
    const { key: _key, ...o } = renderOptions(req.query)
    let body: string, type: string
    if (fmt === 'folded') { body = toFolded(p.profile); type = 'text/plain' }
    else if (fmt === 'dot' || fmt === 'svg' || fmt === 'json') {
      body = String(await renderCallGraph(p.profile, { ...o, output: fmt }))
      type = fmt === 'svg' ? 'image/svg+xml' : fmt === 'json' ? 'application/json' : 'text/vnd.graphviz'
    } else throw new BadRequest(`export format must be dot, svg, folded or json, got ${fmt}`)
    res.setHeader('Content-Disposition', `attachment; filename="${base}.${fmt === 'folded' ? 'folded.txt' : fmt}"`)
    res.type(type).send(body)
  }))

  return r
}
