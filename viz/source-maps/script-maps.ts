// Finding the source map of a script a profile names, and reading original positions and
// names through it. Places looked at, first found wins:
//   1. `--source-maps DIR`: DIR/<script>.map, or DIR/<the map the script's comment names>;
//   2. the script's `//# sourceMappingURL=` comment: an inline `data:` map or a file next
//      to the script;
//   3. <script>.map next to the script.
// The script is the profile's URL when it is a file on disk (file:// URL or path), else a
// file of the same name next to the profile. Never throws: no map means generated names.
import fs from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { SourceMapConsumer } from 'source-map-js'
import { decodeDataUrl, findMapComment, parseMapText } from '../../tracer/source-maps'

export interface MapSearch {
  /** Directories given with --source-maps, searched first. */
  dirs?: string[]
  /** The profile file's directory: scripts named by URL are looked for here too. */
  profileDir?: string
}

/** The script's source and its source map consumer. */
export interface ScriptMap {
  code: string | undefined
  consumer: SourceMapConsumer
}

/** Scripts and maps larger than this are not read (a profile may name any file). */
const MAX_BYTES = 256 * 1024 * 1024

function readText(file: string): string | undefined {
  try {
    const st = fs.statSync(file)
    return st.isFile() && st.size <= MAX_BYTES ? fs.readFileSync(file, 'utf8') : undefined
  } catch {
    return undefined
  }
}

function scriptPath(url: string, profileDir: string | undefined): string | undefined {
  let p: string | undefined
  try {
    if (url.startsWith('file://')) p = fileURLToPath(url)
    else if (path.isAbsolute(url)) p = url
  } catch { p = undefined }
  if (p && readText(p) !== undefined) return p
  const base = url.replace(/[?#].*$/, '').replace(/^.*[/\\]/, '')
  if (base && profileDir) {
    const near = path.join(profileDir, base)
    if (readText(near) !== undefined) return near
  }
  return p
}

function consumerOf(text: string | undefined, base: string): SourceMapConsumer | undefined {
  if (text === undefined) return undefined
  const raw = parseMapText(text, base)
  try { return raw ? new SourceMapConsumer(raw) : undefined } catch { return undefined }
}

/** The map of the script at `url`, or undefined. */
export function findScriptMap(url: string, o: MapSearch): ScriptMap | undefined {
  const script = scriptPath(url, o.profileDir)
  const code = script ? readText(script) : undefined
  const comment = code !== undefined ? findMapComment(code) : undefined
  const base = url.replace(/[?#].*$/, '').replace(/^.*[/\\]/, '')
  const tryFile = (file: string) => consumerOf(readText(file), path.dirname(file))
  for (const dir of o.dirs ?? []) {
    const names = [base + '.map']
    if (comment && !comment.url.startsWith('data:')) names.push(path.basename(decodeURIComponent(comment.url)))
    for (const n of names) {
      const c = n !== '.map' ? tryFile(path.join(dir, n)) : undefined
      if (c) return { code, consumer: c }
    }
  }
  if (!script) return undefined
  if (comment) {
    const c = comment.url.startsWith('data:')
      ? consumerOf(decodeDataUrl(comment.url), path.dirname(script))
      : tryFile(path.resolve(path.dirname(script), decodeURIComponent(comment.url)))
    if (c) return { code, consumer: c }
  }
  const next = tryFile(script + '.map')
  return next ? { code, consumer: next } : undefined
}

export interface OriginalFunction {
  name?: string
  file: string
  line: number
  column: number
}

const IDENT = /[\p{ID_Continue}$\u200c\u200d]/u

interface NamedMapping { column: number; name: string; source: string; line: number; originalColumn: number }

/** Per script, built once: the generated code's lines and the named mappings per line. */
const index = new WeakMap<ScriptMap, { lines: string[]; named: Map<number, NamedMapping[]> }>()

function indexOf(m: ScriptMap): { lines: string[]; named: Map<number, NamedMapping[]> } {
  let ix = index.get(m)
  if (!ix) {
    const named = new Map<number, NamedMapping[]>()
    m.consumer.eachMapping((e) => {
      if (!e.name || e.source == null) return
      let row = named.get(e.generatedLine)
      if (!row) named.set(e.generatedLine, (row = []))
      row.push({ column: e.generatedColumn, name: e.name, source: e.source, line: e.originalLine ?? 0, originalColumn: e.originalColumn ?? 0 })
    })
    ix = { lines: (m.code ?? '').split(/\r?\n/), named }
    index.set(m, ix)
  }
  return ix
}

/**
 * The original function at a generated function start (1-based line, 0-based column, as V8
 * reports them: the parameter list for declarations, the first parameter for arrows). Its
 * name is the map's `names` entry of the mapping whose generated text is the function's
 * generated name (the declared or bound identifier, at or before the start on the same
 * line); without one the generated name stays.
 */
export function originalFunction(m: ScriptMap, generatedName: string, line: number, column: number): OriginalFunction | undefined {
  const ix = indexOf(m)
  const text = m.code !== undefined ? ix.lines[line - 1] : undefined
  const ident = generatedName.replace(/^.*[.\s]/, '')
  let named: NamedMapping | undefined
  if (text !== undefined && ident && !/^\(.*\)$/.test(generatedName)) {
    // Mappings come in generated order: the last match is the nearest before the start.
    for (const e of ix.named.get(line) ?? []) {
      if (e.column > column) break
      if (text.startsWith(ident, e.column) && !IDENT.test(text.charAt(e.column + ident.length))) named = e
    }
  }
  if (named) return { name: named.name, file: named.source, line: named.line, column: named.originalColumn + 1 }
  let p = m.consumer.originalPositionFor({ line, column })
  if (!p.source) p = m.consumer.originalPositionFor({ line, column, bias: SourceMapConsumer.LEAST_UPPER_BOUND })
  if (!p.source || p.line == null) return undefined
  return { file: p.source, line: p.line, column: (p.column ?? 0) + 1 }
}
