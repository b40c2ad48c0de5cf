// The inspector client of `sonde attach`, run as its own detached process
// (`node dist/inspect/attach-agent.js`, plan in SONDE_ATTACH_PLAN) so that it can outlive the
// CLI: a target whose main thread is blocked opens its inspector, and runs what was sent to
// it, only when it next runs, and the inspector must be closed then, whenever that is.
//   1. waits for the target's inspector (it opens on the main thread, after SIGUSR1);
//   2. before the deadline, and unless told to abort (a line on stdin, or stdin closed), sends
//      the load expression; after it, only the close expression. Both check the deadline again
//      inside the target, so a load that reaches a target blocked past it never runs;
//   3. waits for the answer, then, when we opened the inspector, for the port to close.
// It stops when the target exits or at plan.guardUntil. One JSON line per event on stdout:
// {port}, {sent}, {value}, {fail}, {closed}. Node >= 22: WebSocket is a global.
import { alive, findInspector, listeningPorts, sleep } from './inspector-port'
import { setting } from '../runtime/config'

export interface AgentPlan {
  pid: number
  registerPath: string
  /** Epoch ms after which nothing is loaded any more. */
  deadline: number
  /** We opened the inspector (SIGUSR1): close it again. */
  close: boolean
  /** Epoch ms after which the agent gives up guarding. */
  guardUntil: number
}

// `require` is the inspector console's (command line API); a main CommonJS module's require
// and import() are the fallbacks. The close is scheduled on a timer: close() called inside our
// own session's evaluate would wait for that very connection.
const LOADER = `(typeof require === 'function' ? require : (process.mainModule && process.mainModule.require ? (p) => process.mainModule.require(p) : null))`
const CLOSER = `const closeSoon = (i) => setTimeout(() => { try { i.close() } catch {} }, 20);
  const done = (v) => { if (CLOSE) { if (r) closeSoon(r('inspector')); else import('node:inspector').then(closeSoon) } return v }`

/** Loads register unless the deadline has passed; synchronous when `require` is reachable, so
 * the answer comes back even while the target's JS is busy (the inspector interrupts it). */
export function loadExpression(reg: string, deadline: number, close: boolean): string {
  return `(() => { const CLOSE = ${close}; const k = Symbol.for('sonde.register.installed'); const r = ${LOADER}; ${CLOSER}
  try {
    if (globalThis[k]) return done('already')
    if (Date.now() > ${deadline}) return done('expired')
    if (r) { r(${JSON.stringify(reg)}); return done(globalThis[k] ? 'loaded' : 'not-installed') }
  } catch (e) { done(); throw e }
  return import(${JSON.stringify('file://' + reg)}).then(() => done(globalThis[k] ? 'loaded' : 'not-installed'), (e) => { done(); throw e }) })()`
}

export const closeExpression = `(() => { const CLOSE = true; const r = ${LOADER}; ${CLOSER}; return done('closing') })()`

interface Answer { value?: unknown; fail?: string }

// Runtime.evaluate without awaitPromise: V8 would wrap even a plain value in a promise whose
// reaction waits for the target's JS to return, which a busy target does not do for a while
// (and may collect it meanwhile). A promise (the import() fallback) is awaited in a second call.
function evaluate(url: string, expression: string, until: number): Promise<Answer> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url)
    const end = (a: Answer) => { clearTimeout(timer); try { ws.close() } catch { /* closed */ } resolve(a) }
    const timer = setTimeout(() => end({ fail: 'no answer before the guard expired' }), Math.max(0, until - Date.now()))
    const send = (id: number, method: string, params: object) => ws.send(JSON.stringify({ id, method, params }))
    ws.onerror = () => end({ fail: 'websocket: connection failed' })
    ws.onclose = () => end({ fail: 'the inspector closed the connection' })
    ws.onopen = () => send(1, 'Runtime.evaluate', { expression, includeCommandLineAPI: true })
    ws.onmessage = (ev) => {
      const m = JSON.parse(String(ev.data))
      if (m.id !== 1 && m.id !== 2) return
      const r = m.result || {}, x = r.exceptionDetails
      if (m.error) end({ fail: m.error.message })
      else if (x) end({ fail: String(x.exception?.description || x.text || 'exception').split('\n')[0] })
      else if (m.id === 1 && r.result?.subtype === 'promise') send(2, 'Runtime.awaitPromise', { promiseObjectId: r.result.objectId, returnByValue: true })
      else end({ value: r.result?.value })
    }
  })
}

async function runAgent(plan: AgentPlan): Promise<void> {
  const out = (o: object) => { try { process.stdout.write(JSON.stringify(o) + '\n') } catch { /* the CLI has gone */ } }
  process.stdout.on('error', () => {})
  let aborted = false
  process.stdin.on('data', () => { aborted = true }).on('end', () => { aborted = true }).on('error', () => { aborted = true })
  const found = await findInspector(plan.pid, plan.guardUntil)
  if (!found) return
  out({ port: found.port })
  const load = !aborted && Date.now() <= plan.deadline
  if (!load && !plan.close) return
  out({ sent: load ? 'load' : 'close' })
  out(await evaluate(found.url, load ? loadExpression(plan.registerPath, plan.deadline, plan.close) : closeExpression, plan.guardUntil))
  if (!plan.close) return
  while (listeningPorts(plan.pid).includes(found.port) && alive(plan.pid) && Date.now() < plan.guardUntil) await sleep(50)
  out({ closed: !listeningPorts(plan.pid).includes(found.port) })
}

if (require.main === module) {
  runAgent(JSON.parse(setting('SONDE_ATTACH_PLAN') ?? '{}')).then(() => process.exit(0), () => process.exit(1))
}
