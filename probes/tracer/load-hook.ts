// The function tracer's module hook: a synchronous `load` hook (module.registerHooks, Node
// 22.15+), run in the thread that loads the module. Every module Node's own loaders read
// passes through it, whichever way it is reached: require, import, require(esm), import of
// CommonJS, and TypeScript that Node type-strips (.ts/.mts/.cts); module-source.ts
// instruments it by its format. Being in-thread, it starts no module-hooks thread (as
// module.register did) and prints no deprecation warning (module.register is DEP0205 on 26).
// Each thread that installs the tracer registers its own hook (hooks are per thread).
import Module = require('node:module')
import { fileURLToPath } from 'node:url'
import { debuglog } from 'node:util'
import { instrumentModule } from './module-source'
import type { ModuleFilter } from './module-pattern'

const debug = debuglog('sonde')

type Source = string | ArrayBuffer | ArrayBufferView | null | undefined
interface LoadResult { format?: string | null; source?: Source; shortCircuit?: boolean }
type NextLoad = (url: string, context?: unknown) => LoadResult
type RegisterHooks = (hooks: { load: (url: string, context: unknown, nextLoad: NextLoad) => LoadResult }) => { deregister(): void }

function sourceText(source: Source): string | undefined {
  if (typeof source === 'string') return source
  if (source instanceof ArrayBuffer) return Buffer.from(source).toString('utf8')
  if (ArrayBuffer.isView(source)) return Buffer.from(source.buffer, source.byteOffset, source.byteLength).toString('utf8')
  return undefined
}

/** Installs the hook; returns its uninstall function, or undefined when this Node has no registerHooks. */
export function installLoadHook(filter: ModuleFilter, onModule?: (file: string, functions: number) => void): (() => void) | undefined {
  const registerHooks = (Module as unknown as { registerHooks?: RegisterHooks }).registerHooks
  if (typeof registerHooks !== 'function') return undefined
  const load = (url: string, context: unknown, nextLoad: NextLoad): LoadResult => {
    const r = nextLoad(url, context)
    try {
      if (typeof url !== 'string' || !url.startsWith('file:') || r == null) return r
      const file = fileURLToPath(url)
      if (!filter(file)) return r
      const text = sourceText(r.source)
      const out = text === undefined ? null : instrumentModule(text, file, r.format)
      if (!out) return r
      onModule?.(file, out.sites.length)
      return { ...r, format: out.format, source: out.code }
    } catch (err) {
      debug('tracer: %s left untraced: %s', url, (err as Error)?.message)
      return r
    }
  }
  const handle = registerHooks.call(Module, { load })
  return () => handle.deregister()
}
