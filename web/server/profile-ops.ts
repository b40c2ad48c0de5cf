// What the profile worker does with the profiles it holds: import uploaded or recorded text
// through the viz importer registry, and read the stored profiles as call-graph SVG/JSON, flame
// tree and exports. Runs in the profile worker (profile-worker.ts), never on the app's thread.
// Query strings are validated here (renderOptions); bad input is a BadRequest or the
// importer's ParseError, answered 400 with its first line.
import { formats, importProfileBytes } from '../../viz/importers'
import { remapProfile } from '../../viz/source-maps/remap-profile'
import { OptionError, ParseError } from '../../viz/model/profile'
import { renderCallGraph, type RenderOptions } from '../../viz/render'
import { buildCallGraph } from '../../viz/graph/shape'
import { toJsonGraph } from '../../viz/writers/json-writer'
import { toFolded } from '../../viz/writers/folded'
import type { Metric } from '../../viz/graph/shape-options'
import { createProfileStore, type ProfileInfo, type StoredProfile } from './profile-store'
import { toFlameTree } from './flame-tree'
import { inPage, metricsOf, withPageWords } from './profile-metrics'

const METRICS: Metric[] = ['time', 'samples', 'bytes', 'calls']

export class BadRequest extends Error {}

/** A string-keyed query as express parses it (values may be arrays or nested objects). */
export type Query = Record<string, unknown>

/** An answer body with its content type (and a download name for exports). */
export interface Body { body: string; type: string; filename?: string }

function escapeRegExp(s: string): string { return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&') }

function num(v: unknown, name: string, min: number, max: number): number | undefined {
  if (v === undefined || v === '') return undefined
  const n = Number(v)
  if (!Number.isFinite(n) || n < min || n > max) throw new BadRequest(`${name} must be a number in ${min}..${max}`)
  return n
}

/** Query → render options. `focus` is a function name matched exactly; `search` never reaches viz. */
export function renderOptions(q: Query): RenderOptions & { key: string } {
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

/** 400 for what the client sent (bad input, bad options), else 500. */
export function statusOfError(err: unknown): number {
  return err instanceof ParseError || err instanceof BadRequest || err instanceof OptionError || err instanceof SyntaxError ? 400 : 500
}

function safeName(s: string): string { return s.replace(/[^A-Za-z0-9._-]+/g, '_').slice(0, 80) || 'profile' }

/** renderOptions, with a metric the profile lacks refused in the page's words. */
function checked(p: StoredProfile, q: Query): ReturnType<typeof renderOptions> {
  const o = renderOptions(q)
  const have = metricsOf(p.profile)
  if (o.metric !== undefined && !have.includes(o.metric)) throw new BadRequest(`metric ${o.metric}: this profile measures ${p.unit}; it has ${have.join(' and ')}`)
  return o
}

export function createProfileOps(idPrefix?: string) {
  const store = createProfileStore(idPrefix)
  const find = (id: unknown): StoredProfile => {
    const p = store.get(String(id))
    if (!p) throw new BadRequest(`no profile ${String(id).slice(0, 40)}`)
    return p
  }
  const json = (v: unknown): Body => ({ body: JSON.stringify(v), type: 'application/json' })

  return {
    /** Imports any format (pprof as bytes, text as UTF-8), V8 profiles mapped through the
     * source maps found on this machine for their scripts; answers the new profile's info
     * and the ids evicted to make room. */
    import(a: { name: string; bytes: Uint8Array; source: StoredProfile['source'] }): { info: ProfileInfo; ids: string[] } {
      if (a.bytes.length === 0) throw new BadRequest(`${a.name}: empty upload`)
      let profile
      try { profile = remapProfile(importProfileBytes(a.bytes, a.name)) } catch (err) {
        // No importer took it: say so once, with what would have been taken.
        if (err instanceof ParseError && err.reason === 'unrecognised profile format') throw new BadRequest(`${a.name}: not a profile format sonde reads (accepted: ${formats.map((f) => f.id).join(', ')})`)
        throw err
      }
      const info = store.add(profile, a.source)
      return { info, ids: store.list().map((p) => p.id) }
    },
    async svg(a: { id: string; query: Query }): Promise<Body> {
      const p = find(a.id)
      const { key, ...o } = checked(p, a.query)
      const svg = await store.render(p.id, key, async () => {
        try { return String(await renderCallGraph(p.profile, { ...o, output: 'svg' })) } catch (err) {
          throw err instanceof OptionError ? inPage(err) : err
        }
      })
      return { body: svg, type: 'image/svg+xml' }
    },
    /** The shaped graph as JSON, with the metrics the profile has and how many functions the budget and thresholds left out. */
    graph(a: { id: string; query: Query }): Body {
      const p = find(a.id)
      const { key: _key, ...o } = checked(p, a.query)
      const g = withPageWords(() => buildCallGraph(p.profile, o))
      const dropped = typeof g.meta.nodesDropped === 'number' ? g.meta.nodesDropped : 0
      return json({ ...toJsonGraph(g), metrics: metricsOf(p.profile), dropped })
    },
    flame(a: { id: string; query?: Query }): Body {
      const p = find(a.id)
      const o = checked(p, a.query ?? {})
      return json(toFlameTree(p.profile, { focus: o.focus, hidePseudo: o.hidePseudo }))
    },
    async export(a: { id: string; fmt: string; query: Query }): Promise<Body> {
      const p = find(a.id)
      const base = safeName(p.name.replace(/\.[a-z]+$/i, ''))
      const { key: _key, ...o } = checked(p, a.query)
      if (a.fmt === 'folded') return { body: toFolded(p.profile), type: 'text/plain', filename: `${base}.folded.txt` }
      if (a.fmt !== 'dot' && a.fmt !== 'svg' && a.fmt !== 'json') throw new BadRequest(`export format must be dot, svg, folded or json, got ${a.fmt.slice(0, 40)}`)
      const body = String(await renderCallGraph(p.profile, { ...o, output: a.fmt }).catch((err) => {
        throw err instanceof OptionError ? inPage(err) : err
      }))
      const type = a.fmt === 'svg' ? 'image/svg+xml' : a.fmt === 'json' ? 'application/json' : 'text/vnd.graphviz'
      return { body, type, filename: `${base}.${a.fmt}` }
    },
  }
}

export type ProfileOps = ReturnType<typeof createProfileOps>
export type OpName = keyof ProfileOps
