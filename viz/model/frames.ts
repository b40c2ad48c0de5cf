// Frames: what a stack entry names (function, file, line, module, kind) and the table that
// interns them, so a profile holds each function once and stacks hold small integer ids.

/** js: JavaScript; native: C/C++/kernel; pseudo: (idle), (program), (garbage collector), suspend, ...; erlang: an MFA. */
export type FrameKind = 'js' | 'native' | 'pseudo' | 'erlang' | 'other'

export interface FrameInfo {
  name: string
  file?: string
  line?: number
  column?: number
  /** Module, library or Erlang module; used for per-module hue. */
  module?: string
  kind?: FrameKind
}

export interface Frame extends FrameInfo {
  id: number
  /** Identity of the frame: two frames with the same key are the same function. */
  key: string
  kind: FrameKind
}

const PSEUDO = /^(\((idle|program|garbage collector|root|GC|gc|anonymous root)\)|suspend|garbage_collect|undefined)$/

export function isPseudoName(name: string): boolean {
  return PSEUDO.test(name)
}

// join() builds one flat string; a template literal builds a rope of cons cells that the
// table would keep alive beside the flattened text (~150 bytes a frame more at 10^6 frames).
// Name, file, line, column, and the module where no file says it: one function (two
// `[unknown]` of two libraries differ).
export function frameKey(info: FrameInfo): string {
  const parts = [info.name, info.file ?? '', info.line ?? '', info.column ?? '']
  if (info.module && info.file === undefined) parts.push(info.module)
  return parts.join('\u0000')
}

/** Interns frames by key; ids are dense from 0. */
export class FrameTable {
  readonly frames: Frame[] = []
  private readonly byKey = new Map<string, number>()

  intern(info: FrameInfo): number {
    const key = frameKey(info)
    const found = this.byKey.get(key)
    if (found !== undefined) return found
    const id = this.frames.length
    const kind = info.kind ?? (isPseudoName(info.name) ? 'pseudo' : 'other')
    this.frames.push({ ...info, id, key, kind })
    this.byKey.set(key, id)
    return id
  }

  get(id: number): Frame {
    const f = this.frames[id]
    if (!f) throw new RangeError(`no frame ${id}`)
    return f
  }

  get size(): number {
    return this.frames.length
  }
}
