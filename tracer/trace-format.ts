// The sonde function-trace format (docs/trace-format.md), written once: the writer
// (trace-buffer.ts, runtime.ts, trace-file.ts) and the reader (viz/importers/sonde-trace.ts)
// both import these constants and the section header's type. Imports nothing, so viz/ may
// import it without pulling in the tracer.

/** First line of a trace file: the magic, then the version. */
export const TRACE_MAGIC_PREFIX = 'SONDE-TRACE '
export const TRACE_VERSION = 1
export const TRACE_MAGIC = `${TRACE_MAGIC_PREFIX}${TRACE_VERSION}`

/** Line kinds of the text envelope: section header (JSON), block (seq + base64), section end (ns). */
export const LINE_SECTION = 'T'
export const LINE_BLOCK = 'B'
export const LINE_END = 'E'

/** Event types, bits 0-2 of an event's first word; the argument is the rest (word = arg * EV_ARG_SCALE + type). */
export const EV_ENTER = 1
export const EV_EXIT = 2
export const EV_SUSPEND = 3
export const EV_RESUME = 4
export const EV_TIME = 5
export const EV_TYPE_MASK = 7
export const EV_ARG_SHIFT = 3
export const EV_ARG_SCALE = 1 << EV_ARG_SHIFT

/** Words per block at most (64 KiB), and the header words before its stack snapshot: time hi, time lo, snapshot depth. */
export const BLOCK_WORDS = 16384
export const BLOCK_HEADER_WORDS = 3
/** Stack snapshots keep at most this many frames (the outermost ones). */
export const SNAPSHOT_MAX = 1024

/** A section header (the JSON of a `T` line). */
export interface SectionHeader {
  pid: number
  threadId: number
  /** `main` or `worker <threadId>`. */
  thread: string
  /** 1, 2, … per thread. */
  section: number
  /** Written at exit or on a signal. */
  final: boolean
  /** Wall-clock ms since 1970 of the thread's trace clock 0. */
  startEpochMs: number
  droppedBlocks: number
  droppedEvents: number
  /** [name, file, line (1-based), column (0-based)]: function id i is entry i. */
  functions: [string, string, number, number][]
}
