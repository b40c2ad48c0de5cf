// Instructions per request of sonde's HTTP path in one process, counted by valgrind's callgrind:
// the loop collectors-http-path.ts times (bench/http-path-loop.ts: what Node's http server does
// per request once someone subscribes, 10 requests in flight), without sockets or express.
// Steadier than the timed benches here (the paired express bench moves ±1.5–3 points between runs):
// V8 runs --single-threaded (no background compiler or GC threads whose timing would change what
// the main thread executes), and the count is the difference between a run of N1 and one of N2
// requests, divided by N2 − N1, so start-up and the JIT's warm-up (the first ~40 000 requests
// here) cancel. Repeats of a variant still differ by a few hundred instructions per request
// (up to ~1 300 for the busiest variant: the collectors' timers and request-cost's budget follow
// wall time, which callgrind stretches unevenly), so only differences of ~1 000 or more mean
// something; docs/benchmarks.md has two runs side by side.
// Variants:
//   bare      the loop, no subscriber (Node skips the publishes)
//   noop      two no-op diagnostics_channel subscribers (Node's publish and message objects)
//   minimal   bench/preloads/minimal-http-subscriber.js: the least a latency subscriber does
//   hook      sonde's HTTP hook writing httpServerLog for a reader that does nothing
//   both      the hook + the http and request-cost collectors (SONDE_COLLECT=default's HTTP path;
//             request-cost measures 4 requests/s, ~200/s at full speed scaled by callgrind's ~50×)
// BENCH_BEFORE_ROOT=<another checkout> adds hookBefore / bothBefore from that tree's sources.
// Run: node --import tsx bench/http-path-instructions.ts [n1=42000] [n2=102000]   (~15 min; needs valgrind)
// Driver (one variant, used by the above): node --single-threaded --import tsx bench/http-path-instructions.ts --drive ROOT VARIANT N
import { execFileSync } from 'node:child_process'
import diagnostics_channel from 'node:diagnostics_channel'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { driveRequests } from './http-path-loop'

const here = path.resolve(__dirname, '..')

async function drive(root: string, variant: string, n: number): Promise<void> {
  if (variant === 'noop') {
    diagnostics_channel.subscribe('http.server.request.start', () => {})
    diagnostics_channel.subscribe('http.server.response.finish', () => {})
  } else if (variant === 'minimal') {
    require(path.join(here, 'bench/preloads/minimal-http-subscriber.js'))
  } else if (variant !== 'bare') {
    const { installHttpHook } = require(path.join(root, 'runtime/hooks/http-hook'))
    const { disabledProbeSet } = require(path.join(root, 'runtime/hooks/install-hooks'))
    const { httpServerLog } = require(path.join(root, 'runtime/runtime-events'))
    const { createHttpCollector } = require(path.join(root, 'collectors/http-requests'))
    const { createRequestCostCollector } = require(path.join(root, 'collectors/request-cost'))
    const { RouteTable } = require(path.join(root, 'collectors/route-template'))
    const routes = new RouteTable(100)
    if (variant === 'hook') httpServerLog.subscribe(() => {})
    else { createHttpCollector({ routes }).start(); createRequestCostCollector({ routes, measuredPerSec: 4 }).start() }
    installHttpHook(disabledProbeSet())
  }
  await driveRequests(n)
}

/** Main-thread instructions of one driver run (callgrind's totals). */
function count(root: string, variant: string, n: number, tmp: string): number {
  const out = path.join(tmp, `${variant}-${n}.out`)
  execFileSync('valgrind', ['--tool=callgrind', `--callgrind-out-file=${out}`, process.execPath, '--single-threaded', '--import', 'tsx',
    __filename, '--drive', root, variant, String(n)], { cwd: here, stdio: ['ignore', 'ignore', 'pipe'] })
  const m = /^(?:summary|totals): (\d+)/m.exec(fs.readFileSync(out, 'utf8'))
  if (!m) throw new Error(`no totals in ${out}`)
  return Number(m[1])
}

function main(): void {
  const n1 = Number(process.argv[2] ?? 42000), n2 = Number(process.argv[3] ?? 102000)
  const before = process.env.BENCH_BEFORE_ROOT ? path.resolve(process.env.BENCH_BEFORE_ROOT) : undefined
  const runs: [string, string, string][] = [['bare', here, 'bare'], ['noop', here, 'noop'], ['minimal', here, 'minimal'], ['hook', here, 'hook'], ['both', here, 'both']]
  if (before) runs.push(['hookBefore', before, 'hook'], ['bothBefore', before, 'both'])
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sonde-http-instr-'))
  const perRequest: Record<string, number> = {}
  try {
    for (const [name, root, variant] of runs) perRequest[name] = Math.round((count(root, variant, n2, tmp) - count(root, variant, n1, tmp)) / (n2 - n1))
  } finally { fs.rmSync(tmp, { recursive: true, force: true }) }
  const added = Object.fromEntries(Object.entries(perRequest).filter(([k]) => k !== 'bare').map(([k, v]) => [k, v - perRequest.bare]))
  process.stdout.write(JSON.stringify({ bench: 'http-path-instructions', n1, n2, instructionsPerRequest: perRequest, addedOverBare: added }) + '\n')
}

if (process.argv[2] === '--drive') {
  drive(path.resolve(process.argv[3]), process.argv[4], Number(process.argv[5])).then(() => process.exit(0), (e) => { process.stderr.write(String(e?.stack ?? e) + '\n'); process.exit(1) })
} else {
  try { main() } catch (e) { process.stderr.write(`http-path-instructions: ${(e as Error).message}\n`); process.exit(1) }
}
