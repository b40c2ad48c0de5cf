// `sonde callgraph INPUT|- [-f FORMAT] [-o OUT] [--output dot|svg|png|json|txt] [options]`:
// import any supported profile, derive and shape the fprof-style call graph, write it.
// The output type comes from --output, else from -o's extension, else DOT. Bad options
// and bad input exit 2 with one line (UsageError / OptionError / ParseError, caught in
// cli/main.ts); anything else is a failure, exit 1.
import { writeFileSync } from 'node:fs'
import { extname } from 'node:path'
import { parseFlags, usageError } from '../flags'
import { asCliError, load, sourceMapOptions, sourceMapsFrom } from '../profile-input'
import { callGraphOutputs, renderCallGraph, type CallGraphOutput, type RenderOptions } from '../../viz/render'
import type { Metric } from '../../viz/graph/shape-options'
import { formats } from '../../viz/importers'
import { formatNames } from '../../viz/importers/format-names'

export const summary = 'fprof-style call graph of a profile: DOT, SVG, PNG, JSON, text table; pprof or speedscope export'

/** The format list, indented and wrapped at 100 columns for the help text. */
function wrap(list: string): string {
  const out: string[] = []
  let line = ' '
  for (const item of list.split(/, (?![^()]*\))/)) {
    if (line.length + item.length + 2 > 100) { out.push(line.trimEnd()); line = ' ' }
    line += ` ${item},`
  }
  out.push(line.replace(/,$/, ''))
  return out.join('\n')
}

export const help = `usage: sonde callgraph INPUT|- [-f FORMAT] [-o OUT] [--output dot|svg|png|json|txt|pprof|speedscope] [options]
  -f, --format F        input format (sniffed when absent; names below)
  --lines               one node per line or call site (file:line where the format gives it, else
                        the +offset of native frames); default: one node per function
  -o, --out FILE        write here (type from the extension: .dot .gv .svg .png .json .txt,
                        .pb.gz pprof, .pb uncompressed pprof, .speedscope.json)
  --output T            dot | svg | png | json | txt | pprof (gzipped) | speedscope: the last two
                        write the profile itself (--process, --ignore, --hide, --hide-pseudo apply)
  -n, --node-thres PCT  hide functions below PCT % (default 0.5)
  -e, --edge-thres PCT  hide calls below PCT % (default 0.1)
  --budget N            at most N functions, kept connected by dashed aggregate edges (default 150, 0 = all)
  --edge-budget N       at most N calls drawn before reconnection (default 3 per function, 0 = all)
  --root RE / --leaf RE only callees / callers of matching functions;  --depth N  calls from the roots
  --focus RE            matching functions with all their callers and callees
  --ignore RE           drop matching functions and what they call
  --hide RE             remove matching functions, charging them to their callers
  --hide-pseudo         remove (idle), (program), (garbage collector), (root), suspend, ...
  --invert              edges point from callee to caller
  --metric M            time | samples | bytes | calls  (colour, size and pruning; for pprof input,
                        the sample type read)
  --diff OTHER          colour by the signed change against profile OTHER
  --process NAME        only this thread / Erlang process (default: all merged): its name as listed,
                        fprof 0.82.0 or <0.82.0>, perf tid, pid or pid/tid, worker N; * = all
  --diff-process NAME   the threads of --diff OTHER to compare with (default: --process's NAME)
  --skew X              colour skew (< 1 spreads low percentages)
  --font-own            font size grows with OWN;  --module-hue  hue per module
  --no-legend           no legend;  --system-dot  lay out with the system 'dot', not WebAssembly
  --source-maps DIR     look for V8 profiles' source maps in DIR first (repeatable); maps named by
                        the scripts' sourceMappingURL, inline or <script>.map are used by default
  --no-source-maps      keep the generated names and positions
  -h, --help            this help
formats (-f; short forms in parentheses):
${wrap(formatNames(formats.map((f) => f.id)))}`

export const options = {
  format: { type: 'string', short: 'f' }, out: { type: 'string', short: 'o' }, output: { type: 'string' },
  'node-thres': { type: 'string', short: 'n' }, 'edge-thres': { type: 'string', short: 'e' }, budget: { type: 'string' },
  'edge-budget': { type: 'string' }, root: { type: 'string' }, leaf: { type: 'string' }, depth: { type: 'string' }, focus: { type: 'string' },
  ignore: { type: 'string' }, hide: { type: 'string' }, 'hide-pseudo': { type: 'boolean' }, invert: { type: 'boolean' },
  metric: { type: 'string' }, diff: { type: 'string' }, 'diff-process': { type: 'string' }, process: { type: 'string' }, skew: { type: 'string' },
  'font-own': { type: 'boolean' }, 'module-hue': { type: 'boolean' }, 'no-legend': { type: 'boolean' },
  'system-dot': { type: 'boolean' }, lines: { type: 'boolean' }, help: { type: 'boolean', short: 'h' }, ...sourceMapOptions,
} as const

export function parse(argv: string[]) {
  return parseFlags('callgraph', argv, options)
}

function num(v: string | undefined, name: string): number | undefined {
  if (v === undefined) return undefined
  const n = Number(v)
  if (v.trim() === '' || !Number.isFinite(n)) throw usageError('callgraph', `--${name}: not a number: '${v}'`)
  return n
}

function regex(v: string | undefined, name: string): RegExp | undefined {
  if (v === undefined) return undefined
  try { return new RegExp(v) } catch (e) { throw usageError('callgraph', `--${name}: bad regular expression: ${(e as Error).message}`) }
}

const EXT: Record<string, CallGraphOutput> = { '.dot': 'dot', '.gv': 'dot', '.svg': 'svg', '.png': 'png', '.json': 'json', '.txt': 'txt', '.pb': 'pprof', '.pprof': 'pprof' }

/** Extensions that name a file type of their own: --output may not write another type into them. */
const ALSO: Record<string, CallGraphOutput[]> = { '.json': ['speedscope'], '.gz': ['pprof'] }
const TYPED_EXT = new Set([...Object.keys(EXT), '.gz', '.jpg', '.jpeg', '.gif', '.webp', '.pdf', '.html', '.htm', '.csv'])

/** The output type a file name asks for, by its extension; undefined when it names none we write. */
function typeOfName(out: string): CallGraphOutput | undefined {
  const lower = out.toLowerCase()
  if (lower.endsWith('.pb.gz')) return 'pprof'
  if (lower.endsWith('.speedscope.json')) return 'speedscope'
  return EXT[extname(lower)]
}

function outputType(output: string | undefined, out: string | undefined): CallGraphOutput {
  if (output !== undefined) {
    if (!callGraphOutputs.includes(output as CallGraphOutput)) throw usageError('callgraph', `--output: '${output}' is not one of ${callGraphOutputs.join(', ')}`)
    const named = out === undefined ? undefined : typeOfName(out)
    const ext = out === undefined ? '' : extname(out).toLowerCase()
    // an unknown extension takes any --output; a known one only its own type (speedscope is JSON, pprof gzipped)
    const fits = named !== undefined ? named === output || ALSO[ext]?.includes(output as CallGraphOutput) : !TYPED_EXT.has(ext) || ALSO[ext]?.includes(output as CallGraphOutput)
    if (out !== undefined && !fits) {
      throw usageError('callgraph', `-o ${out} is not a ${output} file: its extension asks for ${named ?? extname(out)}`)
    }
    return output as CallGraphOutput
  }
  if (out === undefined) return 'dot'
  const t = typeOfName(out)
  if (!t) throw usageError('callgraph', `-o ${out}: cannot tell the output type from '${extname(out) || 'no extension'}' (use --output ${callGraphOutputs.join('|')})`)
  return t
}

export async function run(argv: string[]): Promise<number> {
  const { values: v, positionals } = parse(argv)
  if (v.help) { process.stdout.write(help + '\n'); return 0 }
  if (positionals.length !== 1) throw usageError('callgraph', positionals.length ? `one INPUT expected, got ${positionals.length}: ${positionals.join(' ')}` : 'missing INPUT (a profile file, or - for stdin)')
  const output = outputType(v.output, v.out)
  const metric = v.metric as Metric | undefined
  if (metric !== undefined && !['time', 'samples', 'bytes', 'calls'].includes(metric)) throw usageError('callgraph', `--metric: '${metric}' is not one of time, samples, bytes, calls`)
  const o: RenderOptions = {
    output, metric, thread: v.process,
    nodeThres: num(v['node-thres'], 'node-thres'), edgeThres: num(v['edge-thres'], 'edge-thres'), budget: num(v.budget, 'budget'), edgeBudget: num(v['edge-budget'], 'edge-budget'),
    depth: num(v.depth, 'depth'), skew: num(v.skew, 'skew'),
    root: regex(v.root, 'root'), leaf: regex(v.leaf, 'leaf'), focus: regex(v.focus, 'focus'), ignore: regex(v.ignore, 'ignore'), hide: regex(v.hide, 'hide'),
    hidePseudo: v['hide-pseudo'], invert: v.invert, fontFromOwn: v['font-own'], moduleHue: v['module-hue'], noLegend: v['no-legend'],
    systemDot: v['system-dot'], gzip: !(v.out !== undefined && /\.pb$/i.test(v.out)),
  }
  if (o.skew !== undefined && !(o.skew > 0)) throw usageError('callgraph', `--skew must be > 0, got ${o.skew}`)
  if (v['diff-process'] !== undefined && v.diff === undefined) throw usageError('callgraph', '--diff-process needs --diff OTHER')
  const lo = { metric, sourceMaps: sourceMapsFrom(v), lines: v.lines }
  const profile = await load(positionals[0], v.format, lo)
  if (v.diff !== undefined) { o.diff = await load(v.diff, v.format, lo); o.diffThread = v['diff-process'] }
  let result: string | Buffer
  try {
    result = await renderCallGraph(profile, o)
  } catch (e) {
    throw asCliError(e)
  }
  if (v.out !== undefined) writeFileSync(v.out, result)
  else process.stdout.write(result)
  return 0
}
