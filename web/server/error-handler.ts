// The dashboard's last error handler. Without it express answers with its HTML error page (a
// stack trace with absolute paths) and prints the stack to stderr, which is the observed app's
// stderr: any page could fill the app's logs with <img src="/api/profiles/%ZZ/...">. Here every
// error becomes one JSON line ({error}) with a 4xx status when the error carries one (a bad
// %-escape in a route parameter is 400, a body over the limit 413), else 500; the stack goes to
// debuglog('sonde') only (NODE_DEBUG=sonde).
import { debuglog } from 'node:util'
import type { Request, Response, NextFunction } from 'express'

const debug = debuglog('sonde')

interface HttpishError { status?: unknown; statusCode?: unknown; expose?: unknown; message?: unknown; stack?: unknown; type?: unknown }

function statusOf(e: HttpishError): number {
  const s = Number(e.status ?? e.statusCode)
  return Number.isInteger(s) && s >= 400 && s < 600 ? s : 500
}

/** The one-line message a client may see: the error's own for 4xx, a generic one for 500. */
export function publicMessage(err: unknown, status: number): string {
  const e = (err ?? {}) as HttpishError
  if (status >= 500) return 'internal error (details: NODE_DEBUG=sonde)'
  if (err instanceof URIError || /^Failed to decode param/.test(String(e.message))) return 'bad %-escape in the URL'
  if (e.type === 'entity.too.large') return 'request body too large'
  return String(e.message ?? 'bad request').split('\n')[0].slice(0, 200)
}

export function jsonErrors(err: unknown, req: Request, res: Response, _next: NextFunction): void {
  const e = (err ?? {}) as HttpishError
  const status = err instanceof URIError ? 400 : statusOf(e)
  try { debug('%s %s: %s', req.method, req.path, String(e.stack ?? e.message ?? err)) } catch { /* never throw from here */ }
  if (res.headersSent) { res.destroy(); return }
  res.status(status).json({ error: publicMessage(err, status) })
}
