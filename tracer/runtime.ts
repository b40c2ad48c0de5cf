// The function tracer's per-thread runtime: what instrumented code calls. It keeps a shadow
// stack of traced frames, writes entry/return events to the thread's TraceBuffer and fires
// func__entry / func__return when a tracer enabled them (one semaphore load otherwise).
//
// Sync functions get a depth token from enter() and give it back to exit() in a finally,
// so a throw closes every frame it unwinds. Async functions and generators get an
// Activation: at each await/yield the instrumenter calls suspend() (the frame leaves the
// stack: the time until resumed() is the `suspend` pseudo-callee, not OWN) and resumed()
// (the frame returns on top of the current stack in its original calling context).
// Nothing here may throw into the host: exit() tolerates tokens already unwound, and a
// probe fire that throws is caught and counted.
import { performance } from 'node:perf_hooks'
import { TraceBuffer, type StackSource } from './trace-buffer'
import { EV_ARG_SCALE, EV_ENTER, EV_EXIT, EV_RESUME, EV_SUSPEND } from './trace-format'

/** The slice of a static probe the tracer needs (sondeProbes.func__entry / func__return). */
export interface FuncProbe {
  readonly enabled: boolean
  fire(name: string, location: string, n: number): void
}

const OFF: FuncProbe = { enabled: false, fire() {} }
const RUNNING = 0
const SUSPENDED = 1
const DONE = 2
const STACK_MAX = 1 << 20
const AID_MAX = (1 << 29) - 1

/** One activation of an async function or generator. */
export class Activation {
  aid = 0
  state = RUNNING
  constructor(readonly id: number, public depth: number, readonly t0: number) {}
}

/** A function site: name and original location, as the instrumenter found it. */
export interface FunctionSite {
  name: string
  file: string
  line: number
  column: number
}

export class TracerRuntime implements StackSource {
  stack = new Int32Array(256)
  sp = 0
  readonly buf: TraceBuffer
  readonly sites: FunctionSite[] = []
  private readonly locations: string[] = []
  private entryNs = new Float64Array(256)
  private nextAid = 1
  private readonly t0 = performance.now()
  readonly startEpochMs = performance.timeOrigin + this.t0
  probeFaults = 0

  constructor(bufferBytes: number, private entryProbe: FuncProbe = OFF, private returnProbe: FuncProbe = OFF) {
    this.buf = new TraceBuffer(bufferBytes, this)
  }

  setProbes(entry: FuncProbe, ret: FuncProbe): void {
    this.entryProbe = entry
    this.returnProbe = ret
  }

  /** ns since this thread's trace started. */
  now(): number {
    return Math.round((performance.now() - this.t0) * 1e6)
  }

  /** Registers a module's function sites; returns the id of the first (ids are base + index). */
  register(files: string[], sites: [string, number, number, number][]): number {
    const base = this.sites.length
    for (const [name, fileIndex, line, column] of sites) {
      const file = files[fileIndex] ?? '?'
      this.sites.push({ name, file, line, column })
      this.locations.push(`${file}:${line}`)
    }
    return base
  }

  private push(id: number, ns: number): number {
    const sp = this.sp
    if (sp >= this.stack.length) this.grow()
    if (sp < this.stack.length) { this.stack[sp] = id; this.entryNs[sp] = ns }
    this.sp = sp + 1
    return sp
  }

  private grow(): void {
    const n = this.stack.length * 2
    if (n > STACK_MAX) return
    const s = new Int32Array(n); s.set(this.stack); this.stack = s
    const e = new Float64Array(n); e.set(this.entryNs); this.entryNs = e
  }

  enter(id: number): number {
    const b = this.buf
    if (b.pos >= b.limit) b.roll()
    const ns = this.now()
    const d = this.push(id, ns)
    b.event(id * EV_ARG_SCALE + EV_ENTER, ns)
    if (this.entryProbe.enabled) this.fireEntry(id, d)
    return d
  }

  /** Pops the frame at depth `d` and anything a missed exit left above it. */
  exit(d: number): void {
    if (this.sp <= d) return
    const b = this.buf
    const ns = this.now()
    while (this.sp > d) {
      if (b.pos >= b.limit) b.roll()
      b.event(EV_EXIT, ns)
      const sp = --this.sp
      if (this.returnProbe.enabled) this.fireReturn(sp, ns)
    }
  }

  enterA(id: number): Activation {
    const d = this.enter(id)
    return new Activation(id, d, this.entryNs[d] ?? 0)
  }

  /** Called with the awaited/yielded value just before the await/yield; returns it. */
  suspend<T>(a: Activation, value: T): T {
    if (a.state !== RUNNING) return value
    a.state = SUSPENDED
    const d = a.depth
    if (d >= this.sp || (d < this.stack.length && this.stack[d] !== a.id)) { a.aid = 0; return value }
    const b = this.buf
    const ns = this.now()
    while (this.sp > d + 1) {
      if (b.pos >= b.limit) b.roll()
      b.event(EV_EXIT, ns)
      this.sp--
    }
    if (b.pos >= b.limit) b.roll()
    if (a.aid === 0) { a.aid = this.nextAid; this.nextAid = this.nextAid >= AID_MAX ? 1 : this.nextAid + 1 }
    b.event(a.aid * EV_ARG_SCALE + EV_SUSPEND, ns)
    this.sp = d
    return value
  }

  /** Called with the await/yield result when the function runs again; returns it. */
  resumed<T>(a: Activation, value?: T): T | undefined {
    if (a.state !== SUSPENDED) return value
    const b = this.buf
    if (b.pos >= b.limit) b.roll()
    const ns = this.now()
    const d = this.push(a.id, ns)
    if (d < this.entryNs.length) this.entryNs[d] = a.t0
    a.depth = d
    a.state = RUNNING
    b.event3(a.aid * EV_ARG_SCALE + EV_RESUME, ns, a.id)
    return value
  }

  exitA(a: Activation): void {
    if (a.state === SUSPENDED) this.resumed(a)
    if (a.state === RUNNING) this.exit(a.depth)
    a.state = DONE
  }

  private fireEntry(id: number, depth: number): void {
    try {
      this.entryProbe.fire(this.sites[id]?.name ?? '?', this.locations[id] ?? '?', depth)
    } catch { this.probeFaults++ }
  }

  private fireReturn(sp: number, ns: number): void {
    try {
      const id = this.stack[sp]
      this.returnProbe.fire(this.sites[id]?.name ?? '?', this.locations[id] ?? '?', Math.max(0, ns - (this.entryNs[sp] ?? ns)))
    } catch { this.probeFaults++ }
  }
}
