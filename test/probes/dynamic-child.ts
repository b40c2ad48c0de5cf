// Child process for the dynamic-provider end-to-end tests (not a test file itself).
// argv[2] = provider name. Reads commands on stdin, one per line:
//   define NAME TYPES...   define a probe (after enable() it loads as a new module)
//   enable                 provider.enable()
//   fire NAME N            wait (≤ 10 s) until NAME is enabled, then fire N times with known values
//   firenow NAME N         fire N times now, unguarded, with (i, 2i)
//   bulk N                 define p0..p(N-1) (i32) before enable
//   firebulk N             fire every p<i> that is enabled once with value i
//   worker N               a worker thread defines provider <name>_w, probe w (i64, string)
//   workergo               the worker fires N times once its probe is enabled
//   chaos NAME / chaosgo   load the chaos probes, then (after chaosgo) run dynamic-chaos.ts on them
//   info                   print the provider's objects
// Replies with one JSON line per command.
import readline from 'node:readline'
import { Worker } from 'node:worker_threads'
import { createProvider, type DynamicProbe, type DynArgType } from '../../probes/dynamic/provider'

const provider = createProvider(process.argv[2] || 'sondetest')
const probes = new Map<string, DynamicProbe>()
const reply = (o: object) => process.stdout.write(JSON.stringify(o) + '\n')
process.stdout.on('error', () => process.exit(0)) // the test went away

/** The known values of fire number i of a 12-argument probe mixing every type. */
export function knownArgs(i: number): unknown[] {
  return [-100 - i, -30000 - i, -2000000000 - i, -(2n ** 40n) - BigInt(i), 200 + i, 60000 + i, 4000000000 + i,
    18446744073709551000n + BigInt(i), i % 2 === 0, `s-${i}-héllo`, { i, a: [1, 'x'] }, -(i + 1)]
}

async function waitEnabled(p: DynamicProbe): Promise<boolean> {
  for (let t = 0; t < 1000 && !p.enabled; t++) await new Promise((r) => setTimeout(r, 10))
  return p.enabled
}

let worker: Worker | null = null
let chaosGo: () => void = () => {}
const rl = readline.createInterface({ input: process.stdin })
rl.on('line', async (line) => {
  const [cmd, ...rest] = line.trim().split(/\s+/)
  if (cmd === 'define') {
    probes.set(rest[0], provider.probe(rest[0], rest.slice(1) as DynArgType[]))
    await Promise.resolve()
    reply({ cmd, objects: provider.objects, error: provider.error })
  } else if (cmd === 'enable') {
    provider.enable()
    reply({ cmd, pid: process.pid, objects: provider.objects, error: provider.error })
  } else if (cmd === 'fire') {
    const p = probes.get(rest[0])!
    const enabled = await waitEnabled(p)
    const n = Number(rest[1])
    for (let i = 0; i < n; i++) {
      if (p.types.length === 12) p.fire(...(knownArgs(i) as []))
      else p.fire(i)
    }
    reply({ cmd, enabled })
  } else if (cmd === 'firenow') {
    const p = probes.get(rest[0])!
    for (let i = 0; i < Number(rest[1]); i++) p.fire(i, i * 2)
    reply({ cmd, enabled: p.enabled })
  } else if (cmd === 'bulk') {
    for (let i = 0; i < Number(rest[0]); i++) probes.set(`p${i}`, provider.probe(`p${i}`, ['i32']))
    reply({ cmd, defined: probes.size })
  } else if (cmd === 'firebulk') {
    let fired = 0
    for (let i = 0; i < Number(rest[0]); i++) { const p = probes.get(`p${i}`)!; if (p.enabled) { p.fire(i); fired++ } }
    reply({ cmd, fired })
  } else if (cmd === 'waitbulk') {
    const ok = await waitEnabled(probes.get(rest[0])!)
    reply({ cmd, ok })
  } else if (cmd === 'worker') {
    const w = new Worker(`
      const { workerData, parentPort } = require('node:worker_threads')
      require('tsx/cjs')
      const { createProvider } = require(workerData.src)
      const p = createProvider(workerData.name).probe('w', ['i64', 'string'])
      p.provider.enable()
      parentPort.postMessage({ ready: true, objects: p.provider.objects })
      // Fire only once told: bpftrace may raise a semaphore before its uprobe is in place.
      parentPort.once('message', () => {
        const t0 = Date.now()
        const tick = () => {
          if (p.enabled) { for (let i = 0; i < workerData.n; i++) p.fire(1000 + i, 'from-worker'); parentPort.postMessage({ fired: workerData.n }) }
          else if (Date.now() - t0 < 10000) setTimeout(tick, 10)
          else parentPort.postMessage({ fired: 0 })
        }
        tick()
      })`, { eval: true, workerData: { src: require.resolve('../../probes/dynamic/provider'), name: `${provider.name}_w`, n: Number(rest[0]) } })
    worker = w
    w.on('message', (m) => reply({ cmd, ...m }))
    w.on('error', (e) => reply({ cmd, error: String(e) }))
  } else if (cmd === 'chaos') {
    const { runChaos, CHAOS_TYPES } = await import('./dynamic-chaos')
    const c = createProvider(rest[0])
    const every = c.probe('every', [...CHAOS_TYPES.every])
    const j = c.probe('j', [...CHAOS_TYPES.j])
    c.enable()
    reply({ cmd, phase: 'loaded', objects: c.objects })
    await new Promise<void>((resolve) => { chaosGo = resolve })  // after the tracer attached
    await waitEnabled(every); await waitEnabled(j)
    const r = runChaos(c)
    reply({ cmd, phase: 'done', threw: r.threw.map(String), everyFires: r.everyFires, jFires: r.jFires, alive: true })
  } else if (cmd === 'chaosgo') {
    chaosGo()
  } else if (cmd === 'workergo') {
    worker?.postMessage('go')
  } else if (cmd === 'info') {
    reply({ cmd, pid: process.pid, objects: provider.objects, error: provider.error })
  } else if (cmd === 'exit') {
    process.exit(0)
  }
})
