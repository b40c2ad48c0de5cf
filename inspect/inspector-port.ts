// Finding a process's inspector from outside: its TCP LISTEN sockets (/proc/PID/fd socket
// inodes ∩ LISTEN entries of /proc/PID/net/tcp{,6}), and which of them answers the
// inspector's GET /json/list with a WebSocket URL. Used by `sonde attach` and its agent.
import fs from 'node:fs'
import http from 'node:http'

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

/** Whether PID is a live (non-zombie) process. */
export function alive(pid: number): boolean {
  try { return !/^State:\s+Z/m.test(fs.readFileSync(`/proc/${pid}/status`, 'utf8')) } catch { return false }
}

/** TCP ports with a LISTEN socket owned by the process (its fds), any address. */
export function listeningPorts(pid: number): number[] {
  const inodes = new Set<string>()
  let fds: string[]
  try { fds = fs.readdirSync(`/proc/${pid}/fd`) } catch { return [] }
  for (const fd of fds) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`))
      if (m) inodes.add(m[1])
    } catch { /* fd closed meanwhile */ }
  }
  const ports: number[] = []
  for (const table of ['tcp', 'tcp6']) {
    let text: string
    try { text = fs.readFileSync(`/proc/${pid}/net/${table}`, 'utf8') } catch { continue }
    for (const line of text.split('\n').slice(1)) {
      const f = line.trim().split(/\s+/)
      // sl local rem st tx:rx tr:tm retrnsmt uid timeout inode
      if (f.length < 10 || f[3] !== '0A' || !inodes.has(f[9])) continue
      ports.push(parseInt(f[1].split(':')[1], 16))
    }
  }
  return [...new Set(ports)]
}

function getJson(port: number, route: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: route, timeout: 3000 }, (res) => {
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (d: string) => { if (body.length < 1 << 20) body += d })
      res.on('end', () => { try { resolve(JSON.parse(body)) } catch { reject(new Error(`bad JSON from ${route}`)) } })
    })
    req.on('timeout', () => req.destroy(new Error('timed out')))
    req.on('error', reject)
  })
}

/** The inspector's WebSocket URL on this port, or null when the port is not an inspector. */
async function debuggerUrl(port: number): Promise<string | null> {
  try {
    const list = await getJson(port, '/json/list')
    const t = Array.isArray(list) ? list.find((x) => typeof x?.webSocketDebuggerUrl === 'string') : undefined
    return t ? String(t.webSocketDebuggerUrl).replace(/^ws:\/\/[^/]+/, `ws://127.0.0.1:${port}`) : null
  } catch { return null }
}

export interface InspectorAddress { port: number; url: string }

/** Polls until the process listens with an inspector, `until` (epoch ms) passes, `stop()` says so, or it dies. */
export async function findInspector(pid: number, until: number, stop: () => boolean = () => false): Promise<InspectorAddress | null> {
  do {
    for (const port of listeningPorts(pid)) {
      const url = await debuggerUrl(port)
      if (url) return { port, url }
    }
    if (stop() || !alive(pid)) return null
    await sleep(50)
  } while (Date.now() < until)
  return null
}
