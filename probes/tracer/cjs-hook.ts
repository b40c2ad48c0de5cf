// CommonJS side of the function tracer: wraps Module.prototype._compile(content, filename,
// format). The `load` hook (load-hook.ts) has instrumented whatever came through Node's own
// loaders before it gets here (that source is marked and passes unchanged); this hook is for
// source that reaches _compile without passing a load hook: loaders that read and transform
// files themselves and call module._compile with the result (tsx's and ts-node's require
// hooks, @babel/register, pirates). The third argument says what the source is ('module' for
// require(esm), 'commonjs-typescript'/'typescript'/... for TypeScript Node has not stripped
// yet; module-source.ts), and the format it becomes is passed on with the new source.
// A module that fails to parse or instrument runs unmodified.
import Module = require('node:module')
import { debuglog } from 'node:util'
import { instrumentModule } from './module-source'
import type { ModuleFilter } from './module-pattern'

const debug = debuglog('sonde')

type Compile = (this: unknown, content: string, filename: string, ...rest: unknown[]) => unknown

/** Installs the hook; returns its uninstall function. */
export function installCjsHook(filter: ModuleFilter, onModule?: (file: string, functions: number) => void): () => void {
  const proto = (Module as unknown as { prototype: { _compile: Compile } }).prototype
  const original = proto._compile
  const hooked: Compile = function (this: unknown, content, filename, ...rest) {
    let r: ReturnType<typeof instrumentModule> = null
    const format = rest[0]
    if (typeof content === 'string' && typeof filename === 'string' && (format == null || typeof format === 'string')) {
      try {
        if (filter(filename)) r = instrumentModule(content, filename, format)
        if (r) onModule?.(filename, r.sites.length)
      } catch (err) {
        debug('tracer: %s left untraced: %s', filename, (err as Error)?.message)
        r = null
      }
    }
    // Outside the try: what the module itself throws is the app's, and it must run only once.
    return r ? original.call(this, r.code, filename, r.format, ...rest.slice(1)) : original.call(this, content, filename, ...rest)
  }
  proto._compile = hooked
  return () => { if (proto._compile === hooked) proto._compile = original }
}
