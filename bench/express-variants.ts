// The express hello-world variants of the two express benches (collectors-express.ts:
// throughput side by side; collectors-instructions.ts: callgrind instruction counts), built from
// one set of environment knobs:
//   BENCH_BEFORE_DIST=<another checkout's dist>  adds `sondeBefore`: its register.js with
//                                                 SONDE_COLLECT=default (or BENCH_BEFORE_COLLECT)
//   BENCH_VARIANTS='name=collect-spec;…'         sonde variants, e.g. 'alloc4M=default,alloc-interval=4194304'
//   BENCH_PRELOADS='name=/abs/preload.js;…'      `-r preload` variants (experiments; SONDE_COLLECT=none)
//   BENCH_ONLY=name,…                            keeps only those of the bench's fixed variants
//                                                 (bare and the variants the knobs above add always run)
import fs from 'node:fs'
import path from 'node:path'
import { parseCollectSpec } from '../collectors/config'

export const app = path.join(__dirname, 'apps/express-hello.js')
const dist = path.resolve(__dirname, '..', 'dist')

export interface ExpressVariant {
  /** node's arguments: preloads, then the app. */
  args: string[]
  env: Record<string, string>
  /** SONDE_COLLECT of a sonde variant (sondeEnv turns it into the environment). */
  collect?: string
  /** The dist whose register.js the variant preloads. */
  dist?: string
}

/** A sonde variant: `-r <dist>/register.js` with these collectors. */
export const sonde = (collect: string, from = dist): ExpressVariant => ({ args: ['-r', path.join(from, 'register.js'), app], env: {}, collect, dist: from })

/**
 * The bench's fixed variants (bare is added first) plus those of the environment knobs.
 */
export function expressVariants(fixed: Record<string, ExpressVariant>, env: NodeJS.ProcessEnv = process.env): Record<string, ExpressVariant> {
  const out = variantsOf(fixed, env)
  for (const v of Object.values(out)) if (v.dist) assertBundled(v.dist)
  return out
}

/**
 * Throws unless `from`'s register.js is the start-up shim: a bare `tsc` leaves dist unbundled
 * until `npm run compile`, and a bench would then measure the slower, larger start-up.
 */
export function assertBundled(from: string): void {
  const text = fs.readFileSync(path.join(from, 'register.js'), 'utf8')
  if (!text.includes('Bundled into dist/startup.js')) throw new Error(`${from}/register.js is not the start-up bundle's shim (a bare tsc?): run npm run compile first`)
}

function variantsOf(fixed: Record<string, ExpressVariant>, env: NodeJS.ProcessEnv): Record<string, ExpressVariant> {
  const only = env.BENCH_ONLY?.split(',')
  const out: Record<string, ExpressVariant> = { bare: { args: [app], env: {} } }
  for (const [name, v] of Object.entries(fixed)) if (!only || only.includes(name)) out[name] = v
  if (env.BENCH_BEFORE_DIST) out.sondeBefore = sonde(env.BENCH_BEFORE_COLLECT ?? 'default', path.resolve(env.BENCH_BEFORE_DIST))
  for (const [name, spec] of pairs(env.BENCH_VARIANTS)) out[name] = sonde(spec)
  for (const [name, preload] of pairs(env.BENCH_PRELOADS)) out[name] = { args: ['-r', preload, app], env: { SONDE_COLLECT: 'none' } }
  return out
}

/** 'a=x;b=y' → [['a','x'], ['b','y']] (the value may contain '=' and ','). */
function pairs(s: string | undefined): [string, string][] {
  return (s ?? '').split(';').filter(Boolean).map((v) => [v.slice(0, v.indexOf('=')), v.slice(v.indexOf('=') + 1)])
}

/**
 * The variant's environment. For a sonde variant, SONDE_COLLECT=`spec`, and what the app's
 * GET /__bench/sonde needs to tell whether -r sonde/register really started those collectors (a
 * preload that failed, or a dist being rebuilt, would otherwise measure bare: assertSondeRan).
 */
export function variantEnv(v: ExpressVariant, spec = v.collect): Record<string, string> {
  if (!spec) return v.env
  return { ...v.env, SONDE_COLLECT: spec, BENCH_SONDE_DIST: v.dist ?? dist, BENCH_SONDE_EXPECT: parseCollectSpec(spec).collectors.join(',') }
}

/**
 * Throws unless the sonde variant `v` served on `port` really runs its collectors. Asked after
 * the measurements: the check loads sonde's full module graph (`require('sonde')`), which an
 * app running with -r sonde/register does not load, so it must not be in the measured process.
 */
export async function assertSondeRan(v: ExpressVariant, port: number): Promise<void> {
  if (!v.collect) return
  const res = await fetch(`http://127.0.0.1:${port}/__bench/sonde`)
  if (res.status !== 200) throw new Error(`sonde variant did not run its collectors: ${await res.text()}`)
}

export function median(xs: number[]): number {
  const a = xs.slice().sort((x, y) => x - y), h = a.length >> 1
  return a.length % 2 ? a[h] : (a[h - 1] + a[h]) / 2
}
