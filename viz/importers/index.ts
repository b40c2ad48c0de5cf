// The importer registry: every profile format sonde reads, sniffed by content unless a
// format is named. One entry per format; an entry parses a whole text (`parse`) or, for
// line-based formats that may be huge, builds a line importer (`lines`) that the registry
// streams a file through so memory is bounded by the call tree, not by the file.
// Order matters: the first entry whose sniffer accepts the head and whose importer returns
// a profile wins; an importer that recognises its format but finds it malformed throws.
import { ParseError, type Profile } from '../model/profile'
import { runLines, type LineImporter } from './line-importer'
import { checkHead, openInput, readAll, readAllBytes, readHead, streamLines, type Progress } from './read-input'
import { importFromCpuprofile, isCpuprofile } from './cpuprofile'
import { importFromHeapprofile, isHeapprofile } from './heapprofile'
import { createFoldedImporter, isFolded } from './folded'
import { createBpftraceImporter, isBpftrace } from './bpftrace'
import { createPerfScriptImporter, isPerfScript } from './perf-script'
import { createDtraceImporter, isDtrace } from './dtrace'
import type { ImporterOptions } from './import-options'
import { formatByName, formatNames } from './format-names'
import { createCallgrindImporter, isCallgrind } from './callgrind'
import { importFromGprof2dotJson, isGprof2dotJson } from './gprof2dot-json'
import { importFromFprof, isFprof } from './fprof'
import { importFromSondeTrace, isSondeTrace } from './sonde-trace'
import { importFromCpuprofileCounts, isCpuprofileCounts } from './cpuprofile-counts'
import { importFromPprof, isPprofBytes } from './pprof'

export interface ProfileFormat {
  id: string
  description: string
  /** Cheap test on the first 64 KiB of the input. */
  sniff: (head: string) => boolean
  /** Whole-text importer: null = not this format, ParseError = this format but malformed. */
  parse?: (text: string, name: string, opts?: ImporterOptions) => Profile | null
  /** Line importer factory, for formats streamed line by line. */
  lines?: (name: string, opts?: ImporterOptions) => LineImporter
  /** Binary importer, tried on the bytes before any text sniffing (see `binary`). */
  bytes?: (bytes: Uint8Array, name: string, o: { metric?: string; forced?: boolean }) => Profile | null
}

export const formats: ProfileFormat[] = [
  { id: 'cpuprofile+counts', description: 'V8 CPU profile with V8 precise-coverage call counts (sonde run --cpu-profile FILE --counts)', sniff: isCpuprofileCounts, parse: importFromCpuprofileCounts },
  { id: 'cpuprofile', description: 'V8 CPU profile (.cpuprofile: Chrome DevTools, node --cpu-prof; flat and old tree form)', sniff: isCpuprofile, parse: importFromCpuprofile },
  { id: 'heapprofile', description: 'V8 sampling heap profile (.heapprofile: node --heap-prof, DevTools)', sniff: isHeapprofile, parse: importFromHeapprofile },
  { id: 'sonde-trace', description: 'sonde function trace (sonde run --trace-functions, SONDE_TRACE): exact calls, one thread per worker/process', sniff: isSondeTrace, parse: importFromSondeTrace },
  { id: 'gprof2dot-json', description: "gprof2dot's JSON input (version 0: functions, events with leaf-first call chains)", sniff: isGprof2dotJson, parse: importFromGprof2dotJson },
  { id: 'fprof', description: 'Erlang fprof analysis (fprof:analyse/1, every option; one thread per process)', sniff: isFprof, parse: importFromFprof },
  { id: 'callgrind', description: 'callgrind profile (valgrind --tool=callgrind): exact calls and inclusive costs', sniff: isCallgrind, lines: createCallgrindImporter },
  { id: 'bpftrace', description: 'bpftrace map output with stack keys (@[ustack] = count(), @[kstack, ustack])', sniff: isBpftrace, lines: createBpftraceImporter },
  { id: 'perf-script', description: 'Linux perf script output, any perf version and -F fields (perf record -g; one thread per pid/tid)', sniff: isPerfScript, lines: createPerfScriptImporter },
  { id: 'dtrace', description: 'DTrace stack aggregations (@[ustack()] = count(), stack(), jstack())', sniff: isDtrace, lines: createDtraceImporter },
  { id: 'pprof', description: 'pprof protobuf, gzipped or not (Go, @datadog/pprof, Pyroscope, Parca); --metric picks the sample type', sniff: () => false, bytes: importFromPprof },
  { id: 'folded', description: 'folded stacks (FlameGraph stackcollapse output: a;b;c 42; py-spy/rbspy fn (file:line) frames)', sniff: isFolded, lines: createFoldedImporter },
]

export interface ImportOptions {
  /** A format id from `formats` or a short form (`perf`, `collapse`; format-names.ts); sniffed by content when absent. */
  format?: string
  /** time | samples | bytes | calls: for inputs with several sample types (pprof), the one to read. */
  metric?: string
  /** One call-graph node per line or call site (file:line, or a native frame's +offset); default: per function. */
  lines?: boolean
}

/** The binary format the bytes are in (named, or sniffed from the head), if any. */
function binaryFormat(head: Uint8Array, name: string, opts?: ImportOptions): ProfileFormat | undefined {
  if (opts?.format) { const f = formatById(opts.format, name); return f.bytes ? f : undefined }
  return isPprofBytes(head) ? formats.find((f) => f.id === 'pprof') : undefined
}

function viaBytes(f: ProfileFormat, bytes: Uint8Array, name: string, opts?: ImportOptions): Profile {
  const p = f.bytes!(bytes, name, { metric: opts?.metric, forced: true })
  if (!p) throw notRecognised(name, opts)
  return p
}

/** Imports a profile held in memory as bytes, binary (pprof) or text. */
export function importProfileBytes(bytes: Uint8Array, name: string, opts?: ImportOptions): Profile {
  const bin = binaryFormat(bytes.subarray(0, 64 * 1024), name, opts)
  if (bin) return viaBytes(bin, bytes, name, opts)
  return importProfileText(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8'), name, opts)
}

function formatById(id: string, name: string): ProfileFormat {
  const f = formats.find((x) => x.id === formatByName(id))
  if (!f) throw new ParseError(name, undefined, `unknown format "${id}" (known: ${formatNames(formats.map((x) => x.id))})`)
  return f
}

function importerOptions(opts?: ImportOptions): ImporterOptions {
  return { lines: opts?.lines, strict: opts?.format !== undefined }
}

function candidates(head: string, name: string, opts?: ImportOptions): ProfileFormat[] {
  if (opts?.format) return [formatById(opts.format, name)]
  return formats.filter((f) => f.sniff(head))
}

function notRecognised(name: string, opts?: ImportOptions): ParseError {
  return new ParseError(name, undefined, opts?.format ? `not a ${opts.format} profile` : 'unrecognised profile format')
}

/** Imports a profile held in memory. `name` names it in errors and in the profile. */
export function importProfileText(text: string, name: string, opts?: ImportOptions): Profile {
  const named = opts?.format ? formatById(opts.format, name) : undefined
  if (named?.bytes) return viaBytes(named, Buffer.from(text, 'utf8'), name, opts)
  const headText = text.slice(0, 64 * 1024)
  checkHead(name, Buffer.from(headText, 'utf8'), headText)
  for (const f of candidates(headText, name, opts)) {
    const p = f.parse ? f.parse(text, name, importerOptions(opts)) : runLines(f.lines!(name, importerOptions(opts)), text)
    if (p) return p
  }
  throw notRecognised(name, opts)
}

export interface ImportFileOptions extends ImportOptions {
  onProgress?: Progress
}

/** Imports a profile from a file, or from stdin when `pathOrDash` is '-'. */
export async function importProfileFile(pathOrDash: string, opts?: ImportFileOptions): Promise<Profile> {
  let input = await openInput(pathOrDash)
  try {
    let headBytes = await readHead(input)
    const name = input.name
    const bin = binaryFormat(headBytes, name, opts)
    if (bin) return viaBytes(bin, await readAllBytes(input, headBytes, opts?.onProgress), name, opts)
    checkHead(name, headBytes, headBytes.toString('utf8'))
    const list = candidates(headBytes.toString('utf8'), name, opts)
    let consumed = false
    let text: string | undefined
    for (const f of list) {
      if (consumed) {
        // A line importer read the input and declined it (a sniffer false positive): a file
        // can be read again, a pipe cannot.
        if (pathOrDash === '-') break
        input.close()
        input = await openInput(pathOrDash)
        headBytes = await readHead(input)
        consumed = false
      }
      let p: Profile | null
      if (f.lines && text === undefined) {
        const importer = f.lines(name, importerOptions(opts))
        consumed = true
        p = (await streamLines(input, headBytes, (l, n) => importer.line(l, n), opts?.onProgress)) ? importer.finish() : null
      } else {
        if (text === undefined) { text = await readAll(input, headBytes, opts?.onProgress); consumed = false }
        p = f.parse ? f.parse(text, name, importerOptions(opts)) : runLines(f.lines!(name, importerOptions(opts)), text)
      }
      if (p) return p
    }
    throw notRecognised(name, opts)
  } finally {
    input.close()
  }
}
