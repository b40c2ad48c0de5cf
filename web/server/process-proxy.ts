// /api/proc/:pid/* → the same API of another registered sonde process, so the standalone
// dashboard can switch between processes. Streams are piped (backpressure reaches the target's
// own bounded stream queue). Only validated entries of the runtime dir are reachable, and only
// on loopback: this is not an open proxy. The target's token (read from its registry entry) is
// added only when this dashboard has a token of its own, which the caller has already shown
// (requireToken runs first); a dashboard without one forwards the caller's Authorization header
// untouched, so the target asks for its own token exactly as a direct request would.
import http from 'node:http'
import type { Request, Response } from 'express'
import { listProcesses, loopbackAddress } from './process-registry'

export function processProxy(dashboardToken: string | undefined) {
  return (req: Request, res: Response): void => {
    const pid = Number(req.params.pid)
    const target = listProcesses().find((p) => p.pid === pid)
    if (!target) { res.status(404).json({ error: `no sonde process ${String(req.params.pid).slice(0, 20)}` }); return }
    const rest = req.originalUrl.replace(/^\/api\/proc\/\d+/, '')
    const path = rest.startsWith('/metrics') ? rest : `/api${rest}`
    const headers: http.OutgoingHttpHeaders = { accept: req.headers.accept ?? '*/*' }
    if (req.headers['content-type']) headers['content-type'] = req.headers['content-type']
    if (req.headers['content-length']) headers['content-length'] = req.headers['content-length']
    if (dashboardToken === undefined) { if (req.headers.authorization) headers.authorization = req.headers.authorization }
    else if (target.token) headers.authorization = `Bearer ${target.token}`
    const host = loopbackAddress(target.host)
    const up = http.request({ host, port: target.port, method: req.method, path, headers }, (ur) => {
      res.status(ur.statusCode ?? 502)
      for (const h of ['content-type', 'content-disposition', 'cache-control']) if (ur.headers[h]) res.setHeader(h, ur.headers[h] as string)
      res.flushHeaders()
      ur.pipe(res)
    })
    up.on('error', (err) => { if (!res.headersSent) res.status(502).json({ error: `process ${pid}: ${err.message}` }); else res.end() })
    res.on('close', () => up.destroy())
    req.pipe(up)
  }
}
