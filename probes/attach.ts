// `sonde attach PID`: load sonde into a running Node.js process that was started without it,
// through the inspector, then close the inspector again:
//   1. checks: the PID is a live Node process we may signal, sonde is not loaded already;
//   2. SIGUSR1 (what process._debugProcess(pid) sends): Node opens its inspector, by default
//      on 127.0.0.1:9229; the actual port is found from the process's own sockets
//      (/proc/PID/fd socket inodes ∩ LISTEN entries of /proc/PID/net/tcp{,6});
//   3. GET /json/list → webSocketDebuggerUrl, then Runtime.evaluate (includeCommandLineAPI,
//      which puts the inspector console's `require` in scope, for CommonJS and ESM apps alike;
//      process.mainModule.require and import() are fallbacks) of require(<abs dist/register.js>);
//   4. if we opened the inspector, a second evaluate schedules require('inspector').close()
//      on a timer (close() called inside our own session's evaluate would wait for that very
//      connection), we disconnect, and wait until the port has no LISTEN socket.
// The WebSocket client runs as a child `node --experimental-websocket` (Node 20's own WHATWG
// WebSocket, undici): no npm dependency, and the flag is only accepted at start-up, so the
// CLI's own process cannot turn it on. Every failure is an AttachError with one line.
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import http from 'node:http'
import path from 'node:path'
import { inspectTarget, TargetError } from './target-process'

export class AttachError extends Error { override readonly name = 'AttachError' }

export interface AttachResult {
  pid: number
  /** 'attached', or 'already' when sonde was loaded before. */
  outcome: 'attached' | 'already'
  port?: number
  /** The inspector was open before we came (e.g. --inspect): left open. */
  inspectorWasOpen?: boolean
  inspectorClosed?: boolean
}

export interface AttachOptions { registerPath?: string; timeoutMs?: number }

const ROOT = (() => {
  const up = path.resolve(__dirname, '..')
  return path.basename(up) === 'dist' ? path.dirname(up) : up
})()
export const registerPath = path.join(ROOT, 'dist', 'register.js')

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms))

function uidOf(pid: number): number | null {
  try {
    const m = /^Uid:\s+(\d+)/m.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))
    return m ? Number(m[1]) : null
  } catch { return null }
}

/** TCP ports with a LISTEN socket owned by the process (its fds), any address. */
export function listeningPorts(pid: number): number[] {
  const inodes = new Set<string>()
  let fds: string[] = []
  try { fds = fs.readdirSync(`/proc/${pid}/fd`) } catch { return [] }
  for (const fd of fds) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(fs.readlinkSync(`/proc/${pid}/fd/${fd}`))
      if (m) inodes.add(m[1])
    } catch { /* fd closed meanwhile */ }
  }
  const ports: number[] = []
  for (const table of ['tcp', 'tcp6']) {
    let text = ''
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

async function findInspector(pid: number, waitMs: number): Promise<{ port: number; url: string } | null> {
  const end = Date.now() + waitMs
  do {
    for (const port of listeningPorts(pid)) {
      const url = await debuggerUrl(port)
      if (url) return { port, url }
    }
    await sleep(50)
  } while (Date.now() < end)
  return null
}

// The expressions evaluated in the target. `require` is the inspector console's (command
// line API); a main CommonJS module's require and import() are the fallbacks.
const LOADER = `(typeof require === 'function' ? require : (process.mainModule && process.mainModule.require ? (p) => process.mainModule.require(p) : null))`
function loadExpression(reg: string): string {
  return `(async () => { const k = Symbol.for('sonde.register.installed'); if (globalThis[k]) return 'already';
  const r = ${LOADER}; if (r) r(${JSON.stringify(reg)}); else await import(${JSON.stringify('file://' + reg)});
  return globalThis[k] ? 'loaded' : 'not-installed' })()`
}
const CLOSE_EXPRESSION = `(async () => { const r = ${LOADER}; const insp = r ? r('inspector') : await import('node:inspector');
  setTimeout(() => { try { insp.close() } catch {} }, 20); return 'closing' })()`

// The child inspector client: runs each expression in order, prints one JSON line per answer.
const CLIENT = `
const plan = JSON.parse(process.env.SONDE_ATTACH_PLAN)
const out = (o) => process.stdout.write(JSON.stringify(o) + '\\n')
const timer = setTimeout(() => { out({ fail: 'no answer from the inspector in ' + plan.timeoutMs + ' ms' }); process.exit(3) }, plan.timeoutMs)
const ws = new WebSocket(plan.url)
let id = 0
const pending = new Map()
ws.onerror = (e) => { out({ fail: 'websocket: ' + (e && e.message || 'connection failed') }); process.exit(3) }
ws.onmessage = (ev) => { const m = JSON.parse(String(ev.data)); const f = pending.get(m.id); if (f) { pending.delete(m.id); f(m) } }
ws.onclose = () => { clearTimeout(timer); process.exit(0) }
const call = (method, params) => new Promise((res) => { const i = ++id; pending.set(i, res); ws.send(JSON.stringify({ id: i, method, params })) })
ws.onopen = async () => {
  for (const expression of plan.steps) {
    const m = await call('Runtime.evaluate', { expression, includeCommandLineAPI: true, awaitPromise: true, returnByValue: true })
    const r = m.result || {}
    if (m.error) { out({ fail: m.error.message }); break }
    if (r.exceptionDetails) { out({ fail: (r.exceptionDetails.exception && r.exceptionDetails.exception.description || r.exceptionDetails.text || 'exception').split('\\n')[0] }); break }
    out({ value: r.result && r.result.value })
  }
  ws.close()
}
`

interface Answer { value?: unknown; fail?: string }

function runClient(url: string, steps: string[], timeoutMs: number): Promise<Answer[]> {
  const major = Number(process.versions.node.split('.')[0])
  const flags = major < 22 ? ['--experimental-websocket', '--no-warnings'] : []
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...flags, '-e', CLIENT], {
      env: { PATH: process.env.PATH ?? '', SONDE_ATTACH_PLAN: JSON.stringify({ url, steps, timeoutMs }) },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let out = '', err = ''
    child.stdout.setEncoding('utf8').on('data', (d: string) => { if (out.length < 65536) out += d })
    child.stderr.setEncoding('utf8').on('data', (d: string) => { if (err.length < 4096) err += d })
    child.on('error', (e) => reject(new AttachError(`cannot run the inspector client: ${e.message}`)))
    child.on('close', () => {
      const lines = out.split('\n').filter(Boolean).map((l) => { try { return JSON.parse(l) } catch { return { fail: l } } })
      if (lines.length === 0) reject(new AttachError(`inspector client failed: ${err.trim().split('\n').pop() || 'no output'}`))
      else resolve(lines)
    })
  })
}

/** Load sonde into PID (see the header). Throws TargetError/AttachError with one line. */
export async function attachSonde(pid: number, opts: AttachOptions = {}): Promise<AttachResult> {
  const reg = opts.registerPath ?? registerPath
  const timeoutMs = opts.timeoutMs ?? 10_000
  const info = inspectTarget(pid)
  const uid = uidOf(pid), me = process.getuid?.() ?? 0
  if (me !== 0 && uid !== null && uid !== me) throw new TargetError(`process ${pid} belongs to uid ${uid}: run sonde attach as root or as that user`)
  if (info.sondeLoaded) return { pid, outcome: 'already' }
  if (!fs.existsSync(reg)) throw new AttachError(`${reg} is missing: build sonde first (npx tsc -p tsconfig.json)`)
  let found = await findInspector(pid, 0)
  const wasOpen = found !== null
  if (!found) {
    try { process.kill(pid, 'SIGUSR1') } catch (e) {
      const code = (e as NodeJS.ErrnoException).code
      throw new TargetError(code === 'EPERM' ? `not permitted to signal process ${pid}: run as root or as its user` : `process ${pid} does not exist (dead PID?)`)
    }
    found = await findInspector(pid, 5000)
    if (!found) {
      try { process.kill(pid, 0) } catch { throw new TargetError(`process ${pid} exited after SIGUSR1`) }
      throw new AttachError(`process ${pid} opened no inspector after SIGUSR1 (started with --disable-sigusr1 or --inspect-port in use, a SIGUSR1 handler, a policy, or a Node built without inspector)`)
    }
  }
  const steps = [loadExpression(reg), ...(wasOpen ? [] : [CLOSE_EXPRESSION])]
  const answers = await runClient(found.url, steps, timeoutMs).catch((e: Error): Answer[] => [{ fail: e.message }])
  const first = answers[0]
  if (first?.fail) {
    // best effort: do not leave an inspector we opened listening
    if (!wasOpen) await runClient(found.url, [CLOSE_EXPRESSION], 3000).catch(() => [])
    throw new AttachError(`loading sonde into ${pid} failed: ${first.fail}`)
  }
  if (first?.value === 'not-installed') throw new AttachError(`loaded ${reg} into ${pid} but sonde did not install (NODE_DEBUG=sonde in the target says why)`)
  const result: AttachResult = { pid, outcome: first?.value === 'already' ? 'already' : 'attached', port: found.port, inspectorWasOpen: wasOpen }
  if (!wasOpen) {
    const end = Date.now() + 5000
    while (listeningPorts(pid).includes(found.port) && Date.now() < end) await sleep(50)
    result.inspectorClosed = !listeningPorts(pid).includes(found.port)
  }
  return result
}
