// Reading a profile file or stdin for the registry: the head (first 64 KiB) for sniffing,
// then either the whole text (JSON and other whole-file formats) or a stream of lines
// (line-based formats), so memory stays bounded by what the importer builds. Missing files,
// directories, empty and binary input become one-line ParseErrors.
import fs from 'node:fs'
import { StringDecoder } from 'node:string_decoder'
import { ParseError } from '../model/profile'

export const HEAD_BYTES = 64 * 1024
const CHUNK_BYTES = 1024 * 1024

export type Progress = (doneBytes: number, totalBytes: number) => void

/** A byte source: a file descriptor (file or stdin). totalBytes 0 when unknown (pipe). */
export interface Input {
  name: string
  totalBytes: number
  read(buf: Buffer): Promise<number>
  close(): void
}

function openError(path: string, e: NodeJS.ErrnoException): ParseError {
  const why: Record<string, string> = { ENOENT: 'no such file', EISDIR: 'is a directory', EACCES: 'permission denied' }
  return new ParseError(path, undefined, why[e.code ?? ''] ?? `cannot read (${e.code ?? e.message})`)
}

export async function openInput(pathOrDash: string): Promise<Input> {
  if (pathOrDash === '-') {
    // The async iterator applies back-pressure: stdin is read only as fast as we parse.
    const it = (process.stdin as AsyncIterable<Buffer>)[Symbol.asyncIterator]()
    let pending: Buffer = Buffer.alloc(0)
    let ended = false
    return {
      name: '<stdin>', totalBytes: 0,
      async read(buf) {
        while (!pending.length && !ended) {
          const r = await it.next()
          if (r.done) ended = true
          else pending = typeof r.value === 'string' ? Buffer.from(r.value) : r.value
        }
        const n = Math.min(buf.length, pending.length)
        pending.copy(buf, 0, 0, n)
        pending = pending.subarray(n)
        return n
      },
      close() { void it.return?.() },
    }
  }
  let fh: fs.promises.FileHandle
  try { fh = await fs.promises.open(pathOrDash, 'r') } catch (e) { throw openError(pathOrDash, e as NodeJS.ErrnoException) }
  const st = await fh.stat()
  if (st.isDirectory()) { await fh.close(); throw openError(pathOrDash, { code: 'EISDIR' } as NodeJS.ErrnoException) }
  return {
    name: pathOrDash, totalBytes: st.size,
    async read(buf) {
      try { return (await fh.read(buf, 0, buf.length, null)).bytesRead } catch (e) { throw openError(pathOrDash, e as NodeJS.ErrnoException) }
    },
    close() { void fh.close() },
  }
}

const BINARY_SAMPLE = 4096

/** A control character other than tab/newline/vertical tab/form feed/CR, or U+FFFD (what
 * invalid UTF-8 decodes to). */
function suspicious(c: number): boolean {
  return (c < 32 && (c < 9 || c > 13)) || c === 0x7f || c === 0xfffd
}

/**
 * Where the decoded head looks binary: the first suspicious character, when at least 3 of
 * them and 3 % of the first 4 KiB are (random bytes: ~60 %; a text profile with a stray
 * control or invalid byte: far fewer). -1 otherwise.
 */
function binaryAt(head: string): number {
  const n = Math.min(head.length, BINARY_SAMPLE)
  let count = 0, first = -1
  for (let i = 0; i < n; i++) {
    if (!suspicious(head.charCodeAt(i))) continue
    if (first < 0) first = i
    count++
  }
  return count >= 3 && count >= 0.03 * n ? first : -1
}

/** Throws for empty or binary input; `bytes` is the head as read. */
export function checkHead(name: string, bytes: Buffer, head: string): void {
  if (head.trim() === '') throw new ParseError(name, 1, 'empty file')
  const nul = bytes.indexOf(0)
  const gzip = bytes[0] === 0x1f && bytes[1] === 0x8b
  if (gzip) throw new ParseError(name, 1, 'binary data (gzip-compressed?), not a text profile')
  const lineAt = (byteOffset: number) => 1 + bytes.subarray(0, byteOffset).filter((b) => b === 10).length
  if (nul >= 0) throw new ParseError(name, lineAt(nul), `binary data (NUL byte at offset ${nul}), not a text profile`)
  const at = binaryAt(head)
  if (at >= 0) {
    // Every character before the first suspicious one decoded cleanly: its byte length is the offset.
    const off = Buffer.byteLength(head.slice(0, at), 'utf8')
    const what = head.charCodeAt(at) === 0xfffd ? 'invalid UTF-8' : `control byte 0x${head.charCodeAt(at).toString(16).padStart(2, '0')}`
    throw new ParseError(name, lineAt(off), `binary data (${what} at offset ${off}), not a text profile`)
  }
}

/** Reads up to HEAD_BYTES (or fewer at end of input). */
export async function readHead(input: Input): Promise<Buffer> {
  const buf = Buffer.alloc(HEAD_BYTES)
  let got = 0
  while (got < buf.length) {
    const n = await input.read(buf.subarray(got))
    if (n === 0) break
    got += n
  }
  return buf.subarray(0, got)
}

/** The head plus the rest of the input as one string. */
export async function readAll(input: Input, head: Buffer, progress?: Progress): Promise<string> {
  return (await readAllBytes(input, head, progress)).toString('utf8')
}

/** The head plus the rest of the input, as bytes (binary formats; readAll decodes them). */
export async function readAllBytes(input: Input, head: Buffer, progress?: Progress): Promise<Buffer> {
  // A file of known size is read into one buffer: chunks plus their concatenation would
  // hold the input twice (three times with the decoded string) at the peak.
  if (input.totalBytes > head.length) {
    const whole = Buffer.allocUnsafe(input.totalBytes)
    head.copy(whole)
    let done = head.length
    while (done < whole.length) {
      const n = await input.read(whole.subarray(done, Math.min(done + CHUNK_BYTES, whole.length)))
      if (n === 0) break
      done += n
      progress?.(done, input.totalBytes)
    }
    // A file that grew while read: the rest in chunks.
    const rest = done === whole.length ? await readAllBytes({ ...input, totalBytes: 0 }, Buffer.alloc(0), progress) : Buffer.alloc(0)
    return rest.length ? Buffer.concat([whole, rest]) : whole.subarray(0, done)
  }
  const parts: Buffer[] = [head]
  let done = head.length
  for (;;) {
    const buf = Buffer.alloc(CHUNK_BYTES)
    const n = await input.read(buf)
    if (n === 0) break
    parts.push(buf.subarray(0, n))
    done += n
    progress?.(done, input.totalBytes)
  }
  return Buffer.concat(parts)
}

/**
 * Feeds the head and the rest of the input to `onLine`, line by line (LF or CRLF), 1-based
 * line numbers. Stops early when onLine returns false. Returns false when stopped.
 */
export async function streamLines(input: Input, head: Buffer, onLine: (line: string, lineNo: number) => boolean, progress?: Progress): Promise<boolean> {
  const decoder = new StringDecoder('utf8')
  let carry = ''
  let lineNo = 0
  let done = 0
  const feed = (text: string): boolean => {
    let start = 0
    for (;;) {
      const nl = text.indexOf('\n', start)
      if (nl < 0) break
      let line = start === 0 && carry ? carry + text.slice(0, nl) : text.slice(start, nl)
      if (start === 0) carry = ''
      if (line.charCodeAt(line.length - 1) === 13) line = line.slice(0, -1)
      if (!onLine(line, ++lineNo)) return false
      start = nl + 1
    }
    carry = start === 0 ? carry + text : text.slice(start)
    return true
  }
  let chunk: Buffer = head
  const buf = Buffer.alloc(CHUNK_BYTES)
  for (;;) {
    done += chunk.length
    if (!feed(decoder.write(chunk))) return false
    if (chunk.length) progress?.(done, input.totalBytes)
    const n = await input.read(buf)
    if (n === 0) break
    chunk = buf.subarray(0, n)
  }
  const rest = carry + decoder.end()
  if (rest.length) {
    const line = rest.charCodeAt(rest.length - 1) === 13 ? rest.slice(0, -1) : rest
    if (!onLine(line, ++lineNo)) return false
  }
  return true
}
