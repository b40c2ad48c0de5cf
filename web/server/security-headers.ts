// Headers on every response and the bearer-token check. CSP: scripts and styles only from this
// origin (no inline script, no eval); the bundled client needs nothing else. Data APIs and
// /metrics need `Authorization: Bearer TOKEN` when a token is set. The static shell (index.html,
// app.js, app.css) carries no data and is served without it: a browser navigation cannot send
// an Authorization header, so the page reads the token from its URL fragment (never sent to the
// server, not logged) and adds the header to every fetch, the event stream included.
import { timingSafeEqual } from 'node:crypto'
import type { Request, Response, NextFunction } from 'express'
import { isLoopbackHost } from './listen-safety'

export const CSP = [
  "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:",
  "connect-src 'self'", "font-src 'self'", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
].join('; ')

export function securityHeaders(_req: Request, res: Response, next: NextFunction): void {
  res.setHeader('Content-Security-Policy', CSP)
  res.setHeader('X-Content-Type-Options', 'nosniff')
  res.setHeader('Referrer-Policy', 'no-referrer')
  res.setHeader('X-Frame-Options', 'DENY')
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin')
  next()
}

function same(a: string, b: string): boolean {
  const x = Buffer.from(a), y = Buffer.from(b)
  return x.length === y.length && timingSafeEqual(x, y)
}

/** Checks the bearer token; undefined token = open (loopback only, enforced by listen-safety). */
export function requireToken(token: string | undefined) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (token === undefined) return next()
    const h = req.headers.authorization ?? ''
    const m = /^Bearer\s+(\S+)$/i.exec(h)
    if (m && same(m[1], token)) return next()
    res.setHeader('WWW-Authenticate', 'Bearer realm="sonde"')
    res.status(401).type('text/plain').send('sonde: missing or wrong bearer token\n')
  }
}

/** The host part of a Host header or an Origin's authority ("[::1]:80" → "::1"). */
function hostOf(authority: string): string {
  const m = /^\[([^\]]+)\](?::\d+)?$/.exec(authority) ?? /^([^:]+)(?::\d+)?$/.exec(authority)
  return m ? m[1].toLowerCase() : authority.toLowerCase()
}

/** True when an Origin header names this server (same scheme-less authority as Host). */
function sameOrigin(origin: string, host: string): boolean {
  try { return new URL(origin).host.toLowerCase() === host.toLowerCase() } catch { return false }
}

/**
 * Against other web pages the user has open: a dashboard bound to loopback only answers requests
 * whose Host is a loopback name (a DNS-rebinding page reaches 127.0.0.1 under its own name), and a
 * state-changing request (POST: upload, record, bpftrace) whose Origin is another site is refused
 * (a cross-site form or fetch POST needs no CORS preflight).
 */
export function requireSameOrigin(listenHost: string) {
  const loopback = isLoopbackHost(listenHost)
  return (req: Request, res: Response, next: NextFunction): void => {
    const host = req.headers.host ?? ''
    if (loopback && !isLoopbackHost(hostOf(host))) {
      res.status(403).type('text/plain').send('sonde: this dashboard answers loopback names only (Host header refused)\n')
      return
    }
    const origin = req.headers.origin
    if (req.method !== 'GET' && req.method !== 'HEAD' && origin !== undefined && !sameOrigin(origin, host)) {
      res.status(403).type('text/plain').send('sonde: cross-origin request refused\n'); return
    }
    next()
  }
}

/**
 * On every data route (/api/*, /metrics), GET included: another page cannot read the answer,
 * but an <img src> or no-cors fetch still makes the server do the work (render a call graph,
 * open a stream), on the observed app's time. Browsers label every request with Sec-Fetch-Site;
 * only 'same-origin' (the page itself) and 'none' (typed into the address bar, a bookmark) pass.
 * An Origin naming another site is refused too (browsers without Sec-Fetch-* send it on CORS
 * requests). Clients that are not browsers (curl, Prometheus, the process proxy) send neither.
 * Answers are marked no-store: profile data and process facts stay out of caches.
 */
export function requireSameSite(req: Request, res: Response, next: NextFunction): void {
  res.setHeader('Cache-Control', 'no-store')
  const site = req.headers['sec-fetch-site']
  const origin = req.headers.origin
  if ((site !== undefined && site !== 'same-origin' && site !== 'none') || (origin !== undefined && !sameOrigin(origin, req.headers.host ?? ''))) {
    res.status(403).json({ error: 'cross-site request refused' })
    return
  }
  next()
}
