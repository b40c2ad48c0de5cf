// `sonde demo`: install sonde's runtime hooks and collectors in this process, start the demo
// app on a loopback port (with its own USDT provider, `demo`), its worker pool and the built-in
// load, and serve the dashboard.
import http from 'node:http'
import type { AddressInfo } from 'node:net'
import { collectors } from '../../collectors'
import { startDashboard, type Dashboard } from '../../web/server'
import { createDemoApp } from './demo-app'
import { createDemoProbes } from './demo-probes'
import { createWorkerPool } from './worker-pool'
import { startLoad } from './load-generator'

export interface DemoOptions { port?: number; durationSeconds?: number; load?: boolean; streamIntervalMs?: number }
export interface Demo {
  dashboard: Dashboard
  appUrl: string
  /** Requests answered and hash jobs finished so far (the demo's own count; its probes fire with them). */
  counts(): { requests: number; jobs: number }
  close(): Promise<void>
}

export async function startDemo(o: DemoOptions = {}): Promise<Demo> {
  require('../../register')
  if (!collectors.running) collectors.start()
  const pool = createWorkerPool(2)
  const probes = createDemoProbes()
  const server = http.createServer(createDemoApp(pool, probes))
  await new Promise<void>((resolve, reject) => { server.once('error', reject); server.listen(0, '127.0.0.1', resolve) })
  const appPort = (server.address() as AddressInfo).port
  let dashboard: Dashboard
  try {
    dashboard = await startDashboard({ port: o.port ?? 7777, mode: 'app', title: 'sonde demo', streamIntervalMs: o.streamIntervalMs })
  } catch (err) {
    server.close(); await pool.close(); probes.dispose()
    throw err
  }
  const load = o.load === false ? undefined : startLoad({ port: appPort, durationMs: o.durationSeconds !== undefined ? o.durationSeconds * 1000 : undefined })
  let closed: Promise<void> | undefined
  return {
    dashboard, appUrl: `http://127.0.0.1:${appPort}/`,
    counts: () => ({ ...probes.counts }),
    close: () => closed ??= (async () => {
      await load?.stop()
      await dashboard.close()
      server.closeAllConnections()
      await new Promise<void>((r) => server.close(() => r()))
      await pool.close()
      probes.dispose()
      collectors.stop()
    })(),
  }
}
