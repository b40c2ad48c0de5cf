// A real CPU profile of bundled TypeScript: test/fixtures/source-maps/app.ts bundled and
// minified by esbuild with the source map kind asked for, run under `node --cpu-prof`.
// `truth()` finds each function's declaration line by searching the TypeScript text, so the
// expected file:line never comes from a source map.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import { buildSync } from 'esbuild'

export const sourceDir = path.resolve(__dirname, '../fixtures/source-maps')

/** linked: a .map and a sourceMappingURL comment; inline: a data: URL comment; external: a
 * .map and no comment. */
export type MapKind = 'linked' | 'inline' | 'external'

export interface BundledProfile { dir: string; script: string; profile: string }

export function bundleAndProfile(dir: string, kind: MapKind): BundledProfile {
  fs.mkdirSync(dir, { recursive: true })
  const script = path.join(dir, 'app.js')
  buildSync({ entryPoints: [path.join(sourceDir, 'app.ts')], bundle: true, minify: true, platform: 'node', sourcemap: kind, outfile: script, logLevel: 'silent' })
  const profDir = path.join(dir, 'prof')
  const r = spawnSync(process.execPath, ['--cpu-prof', '--cpu-prof-dir', profDir, script], { encoding: 'utf8', timeout: 120_000 })
  if (r.status !== 0) throw new Error(`node --cpu-prof ${script}: exit ${r.status}: ${r.stderr}`)
  return { dir, script, profile: path.join(profDir, fs.readdirSync(profDir)[0]) }
}

export const FUNCTIONS = ['spinFor', 'heavyLoop', 'lightLoop', 'churn', 'main'] as const

/** Each function's TypeScript file and 1-based declaration line, by searching the source. */
export function truth(): Map<string, { file: string; line: number }> {
  const out = new Map<string, { file: string; line: number }>()
  for (const file of ['app.ts', 'work.ts']) {
    const lines = fs.readFileSync(path.join(sourceDir, file), 'utf8').split('\n')
    for (const name of FUNCTIONS) {
      const i = lines.findIndex((l) => new RegExp(`\\bfunction ${name}\\(|\\bconst ${name} =`).test(l))
      if (i >= 0) out.set(name, { file, line: i + 1 })
    }
  }
  return out
}
