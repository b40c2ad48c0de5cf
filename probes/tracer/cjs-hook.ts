// CommonJS side of the function tracer: wraps Module.prototype._compile, the one place every
// CommonJS module's source passes through (require, require from ESM, .cjs, and whatever
// source a loader like tsx hands over after its own transform), and instruments modules
// the filter accepts. A module that fails to parse or instrument runs unmodified.
import Module = require('node:module')
import { debuglog } from 'node:util'
import { instrument } from './instrument'
import type { ModuleFilter } from './module-pattern'

const debug = debuglog('sonde')

type Compile = (this: unknown, content: string, filename: string, ...rest: unknown[]) => unknown

/** Installs the hook; returns its uninstall function. */
export function installCjsHook(filter: ModuleFilter, onModule?: (file: string, functions: number) => void): () => void {
  const proto = (Module as unknown as { prototype: { _compile: Compile } }).prototype
  const original = proto._compile
  const hooked: Compile = function (this: unknown, content, filename, ...rest) {
    let code = content
    if (typeof content === 'string' && typeof filename === 'string') {
      try {
        if (filter(filename)) {
          const r = instrument(content, filename, { module: false })
          if (r) { code = r.code; onModule?.(filename, r.sites.length) }
        }
      } catch (err) {
        debug('tracer: %s left untraced: %s', filename, (err as Error)?.message)
        code = content
      }
    }
    return original.call(this, code, filename, ...rest)
  }
  proto._compile = hooked
  return () => { if (proto._compile === hooked) proto._compile = original }
}
