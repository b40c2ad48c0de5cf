// ES-module side of the function tracer: module customization hooks, registered with
// module.register() from install.ts (they run on Node's loader thread). `load` instruments
// the source of every `module`-format file: URL the filter accepts; CommonJS is left to the
// require hook (cjs-hook.ts), which sees it whichever way it is loaded.
import { fileURLToPath } from 'node:url'
import { instrument } from './instrument'
import { compileModuleFilter, type ModuleFilter } from './module-pattern'

let filter: ModuleFilter = () => false

export async function initialize(data: { pattern?: string } | undefined): Promise<void> {
  try { filter = compileModuleFilter(data?.pattern) } catch { filter = () => false }
}

interface LoadResult { format?: string | null; source?: string | ArrayBuffer | ArrayBufferView | null; shortCircuit?: boolean }
type NextLoad = (url: string, context?: unknown) => Promise<LoadResult>

export async function load(url: string, context: unknown, nextLoad: NextLoad): Promise<LoadResult> {
  const r = await nextLoad(url, context)
  try {
    if (r.format !== 'module' || !url.startsWith('file:') || r.source == null) return r
    const file = fileURLToPath(url)
    if (!filter(file)) return r
    const src = typeof r.source === 'string' ? r.source
      : Buffer.from(ArrayBuffer.isView(r.source) ? r.source.buffer.slice(r.source.byteOffset, r.source.byteOffset + r.source.byteLength) as ArrayBuffer : r.source).toString('utf8')
    const out = instrument(src, file, { module: true })
    return out ? { ...r, source: out.code } : r
  } catch {
    return r
  }
}
