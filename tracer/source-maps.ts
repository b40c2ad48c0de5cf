// Source maps for the function tracer: read a module's incoming map (inline data: URL or
// a .map file next to it, as tsc/esbuild write them) so sites are named by their
// original .ts location, and compose the instrumenter's own edit map with it so stack
// traces under --enable-source-maps still point at the original source.
// Never throws: a missing or broken map just means generated locations.
import * as fs from 'node:fs'
import * as path from 'node:path'
import { SourceMapConsumer, SourceMapGenerator, type RawSourceMap } from 'source-map-js'

const URL_COMMENT = /\/\/[#@] sourceMappingURL=([^\s'"]+)[ \t]*(?:\r?\n)?$/

/** The last sourceMappingURL comment of `code`: its position and value. */
export function findMapComment(code: string): { start: number; end: number; url: string } | undefined {
  const idx = code.lastIndexOf('sourceMappingURL=')
  if (idx < 0) return undefined
  const start = code.lastIndexOf('//', idx)
  if (start < 0) return undefined
  const m = URL_COMMENT.exec(code.slice(start))
  if (!m) return undefined
  return { start, end: start + m[0].length, url: m[1] }
}

export function decodeDataUrl(url: string): string | undefined {
  const comma = url.indexOf(',')
  if (comma < 0) return undefined
  const meta = url.slice(5, comma)
  const data = url.slice(comma + 1)
  return meta.endsWith(';base64') ? Buffer.from(data, 'base64').toString('utf8') : decodeURIComponent(data)
}

/** The incoming map of `filename`, with `sources` made absolute paths; undefined when none. */
export function readIncomingMap(code: string, filename: string): RawSourceMap | undefined {
  try {
    const c = findMapComment(code)
    if (!c) return undefined
    let text: string | undefined
    let base = path.dirname(filename)
    if (c.url.startsWith('data:')) text = decodeDataUrl(c.url)
    else {
      const mapPath = path.resolve(base, decodeURIComponent(c.url))
      text = fs.readFileSync(mapPath, 'utf8')
      base = path.dirname(mapPath)
    }
    return text ? parseMapText(text, base) : undefined
  } catch {
    return undefined
  }
}

/** A v3 map's text, `sources` made absolute against `base` (the map's directory); undefined
 * when it is not one. */
export function parseMapText(text: string, base: string): RawSourceMap | undefined {
  try {
    const raw = JSON.parse(text) as RawSourceMap
    if (!raw || Number(raw.version) !== 3 || !Array.isArray(raw.sources)) return undefined
    const root = raw.sourceRoot ? path.resolve(base, raw.sourceRoot) : base
    raw.sources = raw.sources.map((s) => (s.startsWith('file://') ? new URL(s).pathname : path.resolve(root, s)))
    delete raw.sourceRoot
    return raw
  } catch {
    return undefined
  }
}

/** Maps generated positions (1-based line, 0-based column) to original ones. */
export class OriginalPositions {
  private readonly consumer: SourceMapConsumer | undefined

  constructor(map: RawSourceMap | undefined) {
    try { this.consumer = map ? new SourceMapConsumer(map) : undefined } catch { this.consumer = undefined }
  }

  lookup(line: number, column: number): { file: string; line: number; column: number } | undefined {
    if (!this.consumer) return undefined
    let p = this.consumer.originalPositionFor({ line, column })
    if (!p.source) p = this.consumer.originalPositionFor({ line, column, bias: SourceMapConsumer.LEAST_UPPER_BOUND })
    if (!p.source || p.line == null) return undefined
    return { file: p.source, line: p.line, column: p.column ?? 0 }
  }

  get consumerOrUndefined(): SourceMapConsumer | undefined {
    return this.consumer
  }
}

/** Our edit map (generated → pre-edit), composed with the incoming map when there is one. */
export function composeMap(editMap: RawSourceMap, filename: string, incoming: OriginalPositions): string {
  const inc = incoming.consumerOrUndefined
  if (!inc) return JSON.stringify(editMap)
  const gen = SourceMapGenerator.fromSourceMap(new SourceMapConsumer(editMap))
  gen.applySourceMap(inc, filename)
  return gen.toString()
}

export function inlineMapComment(json: string): string {
  return `\n//# sourceMappingURL=data:application/json;charset=utf-8;base64,${Buffer.from(json, 'utf8').toString('base64')}\n`
}
