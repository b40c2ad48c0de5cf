// `sonde flame INPUT|- -o OUT.svg [-f FORMAT] [--process NAME] [--hide-pseudo] [--width PX]
// [--source-maps DIR] [--no-source-maps]`:
// a flame graph SVG of any profile sonde reads (d3-hierarchy partition layout); exact call
// graphs (fprof, callgrind) are drawn from stacks estimated gprof-style.
import { writeFileSync } from 'node:fs'
import { parseArgs } from 'node:util'
import { UsageError } from '../usage-error'
import { asCliError, load, sourceMapOptions, sourceMapsFrom } from '../profile-input'
import { toFlameSvg } from '../../viz/writers/flame-svg'
import { pruneProfileFrames } from '../../viz/graph/prune-frames'
import { selectThreads } from '../../viz/graph/select-threads'
import { deriveCallGraph } from '../../viz/graph/derive'
import { estimateStacks } from '../../viz/graph/estimate-stacks'

export const summary = 'flame graph SVG of a profile (d3-hierarchy partition)'

const HELP = `usage: sonde flame INPUT|- -o OUT.svg [-f FORMAT] [--process NAME] [--hide-pseudo] [--width PX]
                   [--source-maps DIR] [--no-source-maps]`

export async function run(argv: string[]): Promise<number> {
  let parsed
  try {
    parsed = parseArgs({
      args: argv, allowPositionals: true, strict: true,
      options: { format: { type: 'string', short: 'f' }, out: { type: 'string', short: 'o' }, process: { type: 'string' }, 'hide-pseudo': { type: 'boolean' }, width: { type: 'string' }, help: { type: 'boolean', short: 'h' }, ...sourceMapOptions },
    })
  } catch (e) {
    throw new UsageError((e as Error).message.split('\n')[0])
  }
  const { values: v, positionals } = parsed
  if (v.help) { process.stdout.write(HELP + '\n'); return 0 }
  if (positionals.length !== 1) throw new UsageError('one INPUT expected (a profile file, or - for stdin)')
  const width = v.width === undefined ? undefined : Number(v.width)
  if (width !== undefined && !(Number.isInteger(width) && width >= 100 && width <= 100000)) throw new UsageError(`--width: expected 100..100000 pixels, got '${v.width}'`)
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
    if (v.out !== undefined) writeFileSync(v.out, svg)
    else process.stdout.write(svg)
  } catch (e) {
    throw asCliError(e)
  }
  return 0
}
