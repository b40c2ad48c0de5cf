// Writes the function tracer's buffered events as one section of a trace file
// (docs/trace-format.md): a text envelope (so `sonde callgraph` sniffs it like every other
// format and it survives pipes) around binary event blocks, one base64 line per block.
// Each thread appends whole sections with one write, so the main thread, workers and child
// processes can share one file.
import * as fs from 'node:fs'
import { threadId, isMainThread } from 'node:worker_threads'
import { encodeBlock } from './trace-buffer'
import type { TracerRuntime } from './runtime'
import { LINE_BLOCK, LINE_END, LINE_SECTION, TRACE_MAGIC, type SectionHeader } from './trace-format'

export interface SectionState {
  section: number
  droppedBlocks: number
  droppedEvents: number
}

/** The text of the next section with everything buffered since the last one. */
export function takeSection(rt: TracerRuntime, state: SectionState, final: boolean): string {
  const endNs = Math.max(rt.buf.last, rt.now())
  const blocks = rt.buf.take()
  state.section++
  const header: SectionHeader = {
    pid: process.pid,
    threadId,
    thread: isMainThread ? 'main' : `worker ${threadId}`,
    section: state.section,
    final,
    startEpochMs: rt.startEpochMs,
    droppedBlocks: rt.buf.droppedBlocks - state.droppedBlocks,
    droppedEvents: rt.buf.droppedEvents - state.droppedEvents,
    functions: rt.sites.map((s): SectionHeader['functions'][number] => [s.name, s.file, s.line, s.column]),
  }
  state.droppedBlocks = rt.buf.droppedBlocks
  state.droppedEvents = rt.buf.droppedEvents
  const lines = [`${LINE_SECTION} ${JSON.stringify(header)}`]
  for (const b of blocks) lines.push(`${LINE_BLOCK} ${b.seq} ${encodeBlock(b)}`)
  lines.push(`${LINE_END} ${endNs}`)
  return lines.join('\n') + '\n'
}

/** Starts a new trace file (truncates). */
export function createTraceFile(file: string): void {
  fs.writeFileSync(file, TRACE_MAGIC + '\n')
}

/** Appends a section; writes the magic line first when the file is new or empty. */
export function appendSection(file: string, text: string): void {
  let size: number
  try { size = fs.statSync(file).size } catch { size = 0 }
  fs.appendFileSync(file, size === 0 ? TRACE_MAGIC + '\n' + text : text)
}
