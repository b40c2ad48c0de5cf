// Route label for a request: the framework's route when known (express `req.route.path`,
// carried on the event), else a bounded template of the URL path: query dropped, and every
// segment that is a number, a UUID or a long hex string becomes ":id". A RouteTable caps the
// distinct labels; beyond the cap, new routes fold into "other" (counted).

import type { HttpServerLog } from '../runtime/runtime-events'

const NUMERIC = /^\d+$/
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
const HEX = /^(?:0x)?[0-9a-f]{8,}$/i
const MAX_PATH = 200

export function routeTemplate(url: string): string {
  let end = url.length
  const q = url.indexOf('?'), h = url.indexOf('#')
  if (q >= 0) end = q
  if (h >= 0 && h < end) end = h
  let path = url.slice(0, Math.min(end, MAX_PATH))
  if (/^https?:\/\//i.test(path)) path = path.replace(/^https?:\/\/[^/]*/i, '') || '/'
  const segs = path.split('/')
  for (let i = 0; i < segs.length; i++) {
    const s = segs[i]
    if (s !== '' && (NUMERIC.test(s) || UUID.test(s) || HEX.test(s))) segs[i] = ':id'
  }
  return segs.join('/') || '/'
}

export class RouteTable {
  private readonly known = new Set<string>()
  private readonly cache = new Map<string, string>()
  // Both HTTP collectors ask for the same request's label in a row: answer the repeat directly.
  private lastUrl = ''
  private lastRoute: string | undefined = undefined
  private lastLabel = ''
  dropped = 0
  constructor(readonly maxRoutes: number) {}

  /** Label for a request: the given route when present, else the URL's template; capped. */
  label(url: string, route?: string): string {
    if (url === this.lastUrl && route === this.lastRoute && this.lastLabel !== '') return this.lastLabel
    const out = this.labelOf(url, route)
    // not cached when folded into "other": every such request counts in `dropped`
    this.lastUrl = url; this.lastRoute = route; this.lastLabel = out === 'other' ? '' : out
    return out
  }

  /**
   * Label of entry k of httpServerLog (runtime-events.ts): express's mount path + route path when
   * the hook saw a route, else the URL's template. Both HTTP collectors replay the log through this.
   */
  logged(log: HttpServerLog, k: number): string {
    const route = log.route[k]
    if (route === undefined) return this.label(log.url[k] ?? '', undefined)
    const base = log.base[k]
    return this.label('', base ? base + route : route)
  }

  private labelOf(url: string, route?: string): string {
    let r = route
    if (r === undefined || r === '') {
      const hit = this.cache.get(url)
      if (hit !== undefined) return hit
      r = routeTemplate(url)
      const out = this.admit(r)
      if (this.cache.size < 4 * this.maxRoutes) this.cache.set(url, out)
      return out
    }
    return this.admit(r)
  }

  private admit(r: string): string {
    if (this.known.has(r)) return r
    if (this.known.size >= this.maxRoutes) { this.dropped++; return 'other' }
    this.known.add(r)
    return r
  }
}
