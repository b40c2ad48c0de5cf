// One module's source on its way into V8, instrumented according to the format Node's loaders
// give it (the `load` hook's format, or Module.prototype._compile's third argument):
//   commonjs / module                    parsed as a script / as an ES module
//   commonjs-typescript / module-typescript   types stripped first, then as above; handed back
//                                        as commonjs / module, so Node does not strip again
//   typescript (a .ts with no package "type")  stripped; script if it parses as one, else
//                                        module; handed back without a format so Node's own
//                                        syntax detection decides, exactly as it would have
//   none (the CommonJS loader's .js)     script, else module (Node detects ESM syntax the same way)
// Every other format (json, wasm, builtin, addon) is left alone, and so is a TypeScript file
// under node_modules: Node refuses to strip those and must say so itself.
import * as path from 'node:path'
import { instrument, type InstrumentResult } from './instrument'
import { stripTypes } from './type-stripping'

type Parse = 'script' | 'module' | 'detect'

interface FormatRule { typescript: boolean; parse: Parse; out: string | null | undefined }

const RULES: Record<string, FormatRule> = {
  commonjs: { typescript: false, parse: 'script', out: 'commonjs' },
  module: { typescript: false, parse: 'module', out: 'module' },
  'commonjs-typescript': { typescript: true, parse: 'script', out: 'commonjs' },
  'module-typescript': { typescript: true, parse: 'module', out: 'module' },
  typescript: { typescript: true, parse: 'detect', out: undefined },
}

const NODE_MODULES = `${path.sep}node_modules${path.sep}`

export interface InstrumentedModule extends InstrumentResult {
  /** The format to hand on with `code` (none: let Node detect it). */
  format: string | null | undefined
}

/**
 * `source` of `file` (as the loaders give it in `format`) with its functions instrumented;
 * null when it is not JavaScript or TypeScript, does not parse, has no functions, or was
 * instrumented already. May throw only from the instrumenter itself (callers guard).
 */
export function instrumentModule(source: string, file: string, format: string | null | undefined): InstrumentedModule | null {
  const rule: FormatRule | undefined = format == null ? { typescript: false, parse: 'detect', out: format } : RULES[format]
  if (!rule) return null
  let code = source
  if (rule.typescript) {
    if (file.includes(NODE_MODULES)) return null
    const js = stripTypes(source, file)
    if (js === undefined) return null
    code = js
  }
  const r = rule.parse === 'detect'
    ? instrument(code, file, { module: false }) ?? instrument(code, file, { module: true })
    : instrument(code, file, { module: rule.parse === 'module' })
  return r && { ...r, format: rule.out }
}
