// TypeScript sources for the function tracer. The tracer's parser (acorn) reads JavaScript, so a
// .ts/.mts/.cts module that Node itself would type-strip is turned into JavaScript here first,
// with the same tool Node uses (module.stripTypeScriptTypes, Node's bundled amaro/swc): in
// strip mode types become whitespace, so every function keeps its line and column; in
// transform mode (--experimental-transform-types, Node 22/24) the output carries a source map
// that the instrumenter composes (source-maps.ts).
// module.stripTypeScriptTypes announces itself with a one-time ExperimentalWarning; it is the
// tracer's call, not the app's, so that one warning is dropped while the call runs.
import Module = require('node:module')

type Strip = (code: string, opts: { mode: 'strip' | 'transform'; sourceMap?: boolean; sourceUrl?: string }) => string
type EmitWarning = (this: NodeJS.Process, warning: string | Error, ...rest: unknown[]) => void

const strip = (Module as unknown as { stripTypeScriptTypes?: Strip }).stripTypeScriptTypes

function isStripWarning(warning: unknown, rest: unknown[]): boolean {
  const type = typeof rest[0] === 'string' ? rest[0] : (rest[0] as { type?: unknown } | undefined)?.type
  return type === 'ExperimentalWarning' && typeof warning === 'string' && warning.startsWith('stripTypeScriptTypes ')
}

/**
 * `source` as the JavaScript Node would run for the TypeScript module `file`; undefined when
 * this Node cannot strip types or the source is not strippable (Node then reports it itself).
 */
export function stripTypes(source: string, file: string): string | undefined {
  if (typeof strip !== 'function') return undefined
  const mode = process.features.typescript === 'transform' ? 'transform' : 'strip'
  const emit = process.emitWarning as EmitWarning
  const quiet: EmitWarning = function (this: NodeJS.Process, warning, ...rest) {
    if (isStripWarning(warning, rest)) return
    return emit.call(this, warning, ...rest)
  }
  process.emitWarning = quiet as typeof process.emitWarning
  try {
    return mode === 'transform' ? strip(source, { mode, sourceMap: true, sourceUrl: file }) : strip(source, { mode })
  } catch {
    return undefined
  } finally {
    if (process.emitWarning === (quiet as unknown)) process.emitWarning = emit as typeof process.emitWarning
  }
}
