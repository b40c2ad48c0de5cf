// The demo's built-in load: a few loops on loopback, each sending one request at a time with
// a pause between, so the offered load is bounded (≈ concurrency × 1000 / (pauseMs + latency)
// requests per second) and stops at stop() or when the deadline passes.
import http from 'node:http'

const ROUTES: [string, number][] = [
  ['/api/hello', 30], ['/api/users/42', 25], ['/api/report', 12], ['/api/hash', 25], ['/api/slow', 8],
]
const TOTAL = ROUTES.reduce((s, [, w]) => s + w, 0)

function pick(): string {
  let x = Math.random() * TOTAL
  for (const [path, w] of ROUTES) { if ((x -= w) < 0) return path }
  return ROUTES[0][0]
}

function get(agent: http.Agent, port: number, path: string): Promise<void> {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent, timeout: 10_000 }, (res) => { res.resume(); res.on('end', resolve); res.on('error', () => resolve()) })
    req.on('error', () => resolve())
    req.on('timeout', () => { req.destroy(); resolve() })
  })
}

export interface LoadOptions { port: number; concurrency?: number; pauseMs?: number; durationMs?: number }

export function startLoad(o: LoadOptions): { stop(): Promise<void>; requests(): number } {
  const agent = new http.Agent({ keepAlive: true, maxSockets: o.concurrency ?? 3 })
  const deadline = o.durationMs !== undefined ? Date.now() + o.durationMs : Infinity
  const pause = o.pauseMs ?? 25
  let running = true, count = 0
  const loop = async () => {
    while (running && Date.now() < deadline) {
      await get(agent, o.port, pick())
      count++
      await new Promise((r) => setTimeout(r, pause))
    }
  }
  const loops = Array.from({ length: o.concurrency ?? 3 }, loop)
  return {
    async stop() { running = false; await Promise.all(loops); agent.destroy() },
    requests: () => count,
  }
}
