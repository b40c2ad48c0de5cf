// DOT → SVG with Graphviz compiled to WebAssembly (@hpcc-js/wasm-graphviz: the full dot
// engine, no system Graphviz needed). A system `dot` is used only when asked for
// (`systemDot: true` / `--system-dot`). Graphviz escapes label and tooltip text in its SVG
// (`<` → `&lt;`), which a test checks with a hostile function name.
import { spawnSync } from 'node:child_process'
import { literal, OptionError } from '../model/profile'

export interface SvgOptions {
  /** Use the `dot` on PATH (or this path) instead of the WebAssembly build. */
  systemDot?: boolean | string
}

type Gv = { layout(dot: string, format: string, engine: string): string }
let loading: Promise<Gv> | undefined

async function wasmGraphviz(): Promise<Gv> {
  if (!loading) {
    loading = import('@hpcc-js/wasm-graphviz').then(async (m) => (await m.Graphviz.load()) as unknown as Gv)
  }
  return loading
}

export async function dotToSvg(dot: string, o: SvgOptions = {}): Promise<string> {
  if (o.systemDot) {
    const bin = typeof o.systemDot === 'string' ? o.systemDot : 'dot'
    const r = spawnSync(bin, ['-Tsvg'], { input: dot, encoding: 'utf8', maxBuffer: 1 << 30 })
    if ((r.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') throw new OptionError(`{systemDot}: no '${literal(bin)}' on PATH (install graphviz, or leave out {systemDot} to use the built-in WebAssembly Graphviz)`)
    if (r.error) throw new Error(`system dot (${bin}): ${r.error.message}`)
    if (r.status !== 0) throw new Error(`system dot (${bin}) exited ${r.status}: ${(r.stderr || '').split('\n')[0]}`)
    return r.stdout
  }
  const gv = await wasmGraphviz()
  return gv.layout(dot, 'svg', 'dot')
}
