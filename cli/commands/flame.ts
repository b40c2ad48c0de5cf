// `sonde flame INPUT|- [-o OUT.svg|OUT.png] [-f FORMAT] [--process NAME] [--hide-pseudo] [--width PX]
// [--source-maps DIR] [--no-source-maps]`:
// a flame graph SVG (or PNG, from -o's extension) of any profile sonde reads (d3-hierarchy
// partition layout); exact call graphs (fprof, callgrind) are drawn from stacks estimated
// gprof-style.
import { writeFileSync } from 'node:fs'
import { extname } from 'node:path'
import { parseFlags, usageError } from '../flags'
import { asCliError, load, sourceMapOptions, sourceMapsFrom } from '../profile-input'
import { toFlameSvg } from '../../viz/writers/flame-svg'
import { svgToPng } from '../../viz/writers/png'
import { pruneProfileFrames } from '../../viz/graph/prune-frames'
import { selectThreads } from '../../viz/graph/select-threads'
import { deriveCallGraph } from '../../viz/graph/derive'
import { estimateStacks } from '../../viz/graph/estimate-stacks'

export const summary = 'flame graph SVG of a profile (d3-hierarchy partition)'

export const help = `usage: sonde flame INPUT|- [-o OUT.svg|OUT.png] [-f FORMAT] [--process NAME] [--hide-pseudo] [--width PX]
                   [--source-maps DIR] [--no-source-maps]
  -f, --format F      input format (sniffed when absent; sonde callgraph --help lists them)
  -o, --out FILE      write here: .svg, or .png (rasterized); without -o, SVG on stdout
  --process NAME      only this thread / process of the profile (default: all merged)
  --hide-pseudo       remove (idle), (program), (garbage collector), (root), ...
  --width PX          image width in pixels (100..100000, default 1200)
  --source-maps DIR   look for V8 profiles' source maps in DIR first (repeatable)
  --no-source-maps    keep the generated names and positions
  -h, --help          this help`

export const options = {
  format: { type: 'string', short: 'f' }, out: { type: 'string', short: 'o' }, process: { type: 'string' },
  'hide-pseudo': { type: 'boolean' }, width: { type: 'string' }, help: { type: 'boolean', short: 'h' }, ...sourceMapOptions,
} as const

const OUT_TYPES: Record<string, 'svg' | 'png'> = { '.svg': 'svg', '.png': 'png' }

/** The image type -o asks for by its extension; anything else is refused before any work. */
function outType(out: string | undefined): 'svg' | 'png' {
  if (out === undefined) return 'svg'
  const t = OUT_TYPES[extname(out).toLowerCase()]
  if (!t) throw usageError('flame', `-o ${out}: flame graphs are written as ${Object.keys(OUT_TYPES).join(' or ')}, not '${extname(out) || 'no extension'}'`)
  return t
}

export async function run(argv: string[]): Promise<number> {
  const { values: v, positionals } = parseFlags('flame', argv, options)
  if (v.help) { process.stdout.write(help + '\n'); return 0 }
  const type = outType(v.out)
  if (positionals.length !== 1) throw usageError('flame', 'one INPUT expected (a profile file, or - for stdin)')
  const width = v.width === undefined ? undefined : Number(v.width)
  if (width !== undefined && !(Number.isInteger(width) && width >= 100 && width <= 100000)) throw usageError('flame', `--width: expected 100..100000 pixels, got '${v.width}'`)
  let profile = await load(positionals[0], v.format, { sourceMaps: sourceMapsFrom(v) })
  try {
    if (v.process !== undefined) profile = { ...profile, threads: selectThreads(profile, v.process) }
    let title: string | undefined
    if (!profile.threads.some((t) => t.tree) && profile.threads.some((t) => t.exact)) {
      // fprof, callgrind: no stacks, only an exact call graph; draw gprof-style estimated stacks.
      title = `${profile.name} (stacks estimated from the exact call graph)`
      profile = estimateStacks(deriveCallGraph(profile, {}))
    }
    if (v['hide-pseudo']) profile = pruneProfileFrames(profile, { hidePseudo: true })
    const svg = toFlameSvg(profile, { width, title })
    if (v.out !== undefined) writeFileSync(v.out, type === 'png' ? svgToPng(svg) : svg)
    else process.stdout.write(svg)
  } catch (e) {
    throw asCliError(e)
  }
  return 0
}
