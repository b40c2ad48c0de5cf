// Erlang fprof analysis importer: the text `fprof:analyse/1` writes, as exact per-process
// call graphs (ProfileThread.exact) with fprof's own CNT, ACC and OWN per function and per
// caller→callee edge. Format: the fprof manual (erlang.org, tools app, "fprof") and the
// printing code of OTP's lib/tools/src/fprof.erl (do_analyse_1, println, print_proc).
// The file is a sequence of Erlang terms, each ended by ".":
//   [{ "<0.9.0>",                5223,undefined,   10.434}].   %%
//   {[{{fib,run,0}, 1, 10.401, 0.002}], { {lists,foldl,3}, 1, 10.392, 0.002}, [...]}.
// Blocks: `{analysis_options, [...]}`, then `[{totals, CNT, ACC, OWN}]` and, with
// {details, true}, one `[{Pid, CNT, undefined, OWN}, {spawned_by,..}, ...]` header per
// process, each followed by its functions: `{[Callers], Function, [Called]}` or, with
// {callers, false}, bare `{Function, CNT, ACC, OWN}`. {totals, true} adds a block of
// functions merged over all processes right after the totals line; it is read only
// when there are no process blocks ({details, false}), so nothing is counted twice.
// Times are printed as milliseconds with 3 decimals from fprof's integer microsecond
// clocks, so they are imported as exact integer microseconds (sums stay exact).
// Edges come from the callers lists only; each is repeated in its caller's called list.

import { createProfile, isPseudoName, ParseError, type ExactEdge, type ExactFunction, type FrameKind, type Profile, type ProfileThread } from '../model/profile'
import { Atom, formatAtom, formatTerm, Opaque, TermReader, TermSyntaxError, Tuple, type Term } from './erlang-term'
import { checkWeight } from './weight-check'

const HEAD = /^(?:\s*%[^\n]*\n)*?\s*(?:%% Analysis results:|\{\s*analysis_options\s*,|\[\{\s*totals\s*,)/

export function isFprof(head: string): boolean {
  return HEAD.test(head.slice(0, 4096))
}

/** A term in an error message: at most 60 characters of it. */
function shown(t: Term): string {
  const s = formatTerm(t)
  return s.length > 60 ? s.slice(0, 60) + '…' : s
}

interface Clocks { id: Term, cnt: number, acc: number | undefined, own: number }

interface Block {
  name: string
  line: number
  header: Clocks
  functions: ExactFunction[]
  edges: ExactEdge[]
  seen: Set<number>
}

class FprofReader {
  readonly profile: Profile
  private readonly terms: TermReader
  private totals: Block | undefined
  readonly processes: Block[] = []
  private current: Block | undefined

  constructor(private readonly text: string, private readonly file: string) {
    this.profile = createProfile(file, 'fprof', 'microseconds')
    this.terms = new TermReader(text)
  }

  fail(line: number | undefined, reason: string): never {
    throw new ParseError(this.file, line, reason)
  }

  read(): void {
    let t: Term | undefined
    let sawOptions = false
    for (;;) {
      try {
        t = this.terms.next()
      } catch (e) {
        if (e instanceof TermSyntaxError) this.fail(e.line, e.reason)
        throw e
      }
      if (t === undefined) break
      const line = this.terms.termLine
      if (t instanceof Tuple && t.items[0] instanceof Atom && t.items[0].name === 'analysis_options') {
        if (sawOptions) this.fail(line, 'a second analysis in one file (written with {append, ...}); split the file')
        sawOptions = true
        this.readOptions(t, line)
      } else if (Array.isArray(t)) this.readHeader(t, line)
      else if (t instanceof Tuple) this.readFunction(t, line)
      else this.fail(line, `unexpected term ${shown(t)}`)
    }
    if (!this.totals) this.fail(this.terms.line, 'no totals line ([{ totals, CNT, ACC, OWN}]): truncated file?')
  }

  private readOptions(t: Tuple, line: number): void {
    const list = t.items[1]
    if (t.items.length !== 2 || !Array.isArray(list)) this.fail(line, 'analysis_options must be {analysis_options, [...]}')
    for (const o of list) {
      if (o instanceof Tuple && o.items.length === 2 && o.items[0] instanceof Atom) this.profile.meta[o.items[0].name] = formatTerm(o.items[1])
    }
  }

  private readHeader(list: Term[], line: number): void {
    const head = this.clocks(list[0], line, 'a process or totals header')
    const id = head.id
    let name: string
    if (id instanceof Atom && id.name === 'totals') {
      if (this.totals) this.fail(line, 'a second totals line')
      name = 'totals'
    } else if (typeof id === 'string') name = id
    else if (id instanceof Opaque && id.kind === 'pid') name = id.text
    else if (id instanceof Atom) name = id.name // a registered name
    else this.fail(line, `a process header must name a pid, found ${shown(id)}`)
    if (name !== 'totals' && !this.totals) this.fail(line, 'process header before the totals line')
    const block: Block = { name, line, header: head, functions: [], edges: [], seen: new Set() }
    for (const info of list.slice(1)) {
      if (!(info instanceof Tuple) || info.items.length !== 2 || !(info.items[0] instanceof Atom)) this.fail(line, `bad process information ${shown(info)}`)
      const v = info.items[1]
      this.profile.meta[`${name} ${info.items[0].name}`] = typeof v === 'string' ? v : formatTerm(v)
    }
    if (name === 'totals') {
      this.totals = block
      const m = this.profile.meta
      m.totalCalls = head.cnt
      if (head.acc !== undefined) m.totalAcc = head.acc
      m.totalOwn = head.own
    } else {
      if (this.processes.some((p) => p.name === name)) this.fail(line, `process ${name} listed twice`)
      this.processes.push(block)
    }
    this.current = block
  }

  private readFunction(t: Tuple, line: number): void {
    const block = this.current
    if (!block) this.fail(line, 'function entry before any totals or process header')
    let fn: Clocks
    let callers: Term[] | undefined
    if (t.items.length === 3 && Array.isArray(t.items[0]) && Array.isArray(t.items[2])) {
      callers = t.items[0]
      fn = this.clocks(t.items[1], line, 'the function of a {[Callers], Function, [Called]} entry')
      for (const c of t.items[2]) this.clocks(c, line, 'a called function')
    } else if (t.items.length === 4) {
      fn = this.clocks(t, line, 'a function entry')
    } else this.fail(line, 'expected {[Callers], {Function, CNT, ACC, OWN}, [Called]} or {Function, CNT, ACC, OWN}')
    const frame = this.frame(fn.id)
    if (block.seen.has(frame)) this.fail(line, `${this.profile.frames.get(frame).name} listed twice in ${block.name}`)
    block.seen.add(frame)
    if (fn.acc === undefined) this.fail(line, 'a function ACC must be a number, found undefined')
    block.functions.push({ frame, calls: fn.cnt, self: fn.own, total: fn.acc })
    for (const c of callers ?? []) {
      const e = this.clocks(c, line, 'a caller')
      if (e.acc === undefined) this.fail(line, 'a caller ACC must be a number, found undefined')
      block.edges.push({ caller: this.frame(e.id), callee: frame, calls: e.cnt, total: e.acc, self: e.own })
    }
  }

  /** {Id, CNT, ACC, OWN}, times converted from printed milliseconds to microseconds. */
  private clocks(t: Term, line: number, what: string): Clocks {
    if (!(t instanceof Tuple) || t.items.length !== 4) this.fail(line, `expected {Name, CNT, ACC, OWN} as ${what}, found ${t === undefined ? 'nothing' : shown(t)}`)
    line = t.line || line
    const [id, cnt, acc, own] = t.items
    if (typeof cnt !== 'number' || !Number.isInteger(cnt)) this.fail(line, `CNT must be an integer, found ${shown(cnt)}`)
    const accOk = typeof acc === 'number' || (acc instanceof Atom && acc.name === 'undefined')
    if (!accOk) this.fail(line, `ACC must be a number or undefined, found ${shown(acc)}`)
    if (typeof own !== 'number') this.fail(line, `OWN must be a number, found ${shown(own)}`)
    // printed in milliseconds, kept in microseconds
    checkWeight(cnt, this.file, line, 'CNT')
    if (typeof acc === 'number') checkWeight(acc * 1000, this.file, line, 'ACC (µs)')
    checkWeight(own * 1000, this.file, line, 'OWN (µs)')
    return { id, cnt, acc: typeof acc === 'number' ? Math.round(acc * 1000) : undefined, own: Math.round(own * 1000) }
  }

  private frame(id: Term): number {
    let name: string, kind: FrameKind, module: string | undefined
    const it = id instanceof Tuple ? id.items : undefined
    if (it && it.length === 3 && it[0] instanceof Atom && it[1] instanceof Atom && typeof it[2] === 'number') {
      module = it[0].name
      name = `${formatAtom(module)}:${formatAtom(it[1].name)}/${it[2]}`
      kind = 'erlang'
    } else if (id instanceof Atom) {
      name = id.name
      kind = isPseudoName(name) ? 'pseudo' : 'other'
    } else {
      name = formatTerm(id)
      kind = 'other'
    }
    return this.profile.frames.intern(module === undefined ? { name, kind } : { name, kind, module })
  }

  /** fprof's clocks are exact integers: a block's functions add up to its header. */
  check(block: Block): void {
    let own = 0, cnt = 0
    for (const f of block.functions) { own += f.self; cnt += f.calls ?? 0 }
    if (own !== block.header.own || cnt !== block.header.cnt) {
      this.fail(block.line, `${block.name}: its functions add up to CNT ${cnt}, OWN ${own / 1000} ms but the header says CNT ${block.header.cnt}, OWN ${block.header.own / 1000} ms (truncated or edited file?)`)
    }
  }

  threads(): ProfileThread[] {
    const totals = this.totals!
    const thread = (b: Block): ProfileThread => ({
      name: b.name,
      exact: { functions: b.functions, edges: b.edges, total: b.header.own, calls: b.header.cnt, ...(b.header.acc !== undefined ? { acc: b.header.acc } : {}) },
    })
    if (this.processes.length === 0) {
      // {details, false}: only the totals block, with functions when {totals, true}.
      if (totals.functions.length > 0) this.check(totals)
      return [thread(totals)]
    }
    let own = 0, cnt = 0
    for (const p of this.processes) { this.check(p); own += p.header.own; cnt += p.header.cnt }
    if (own !== totals.header.own || cnt !== totals.header.cnt) {
      this.fail(totals.line, `the processes add up to CNT ${cnt}, OWN ${own / 1000} ms but the totals line says CNT ${totals.header.cnt}, OWN ${totals.header.own / 1000} ms (truncated file?)`)
    }
    return this.processes.map(thread)
  }
}

/** null when `text` is not an fprof analysis; ParseError when it is one but malformed. One thread
 * per process block (or the merged totals block); `--process` picks among them (select-threads.ts). */
export function importFromFprof(text: string, fileName: string): Profile | null {
  if (!isFprof(text)) return null
  const r = new FprofReader(text, fileName)
  r.read()
  r.profile.threads.push(...r.threads())
  return r.profile
}
