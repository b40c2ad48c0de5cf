// What an instrumented module talks to: `register(files, sites)` (called once per module by
// the instrumenter's epilogue) returns a ModuleTracer bound to the thread's runtime and the
// module's first function id. Its methods are tiny and monomorphic, so V8 inlines them into
// the instrumented functions. The registry object sits at globalThis[Symbol.for('sonde.tracer')],
// one per thread (each worker installs its own).
import { Activation, TracerRuntime } from './runtime'

export const TRACER_KEY = Symbol.for('sonde.tracer')

export class ModuleTracer {
  constructor(private readonly rt: TracerRuntime, private readonly base: number) {}
  enter(k: number): number { return this.rt.enter(this.base + k) }
  exit(d: number): void { this.rt.exit(d) }
  enterA(k: number): Activation { return this.rt.enterA(this.base + k) }
  suspend<T>(a: Activation, v: T): T { return this.rt.suspend(a, v) }
  resumed<T>(a: Activation, v?: T): T | undefined { return this.rt.resumed(a, v) }
  exitA(a: Activation): void { this.rt.exitA(a) }
  forAwait(a: Activation, iterable: unknown): unknown { return wrapForAwait(this.rt, a, iterable) }
  delegate(a: Activation, iterable: unknown): unknown { return wrapDelegate(this.rt, a, iterable, false) }
  delegateA(a: Activation, iterable: unknown): unknown { return wrapDelegate(this.rt, a, iterable, true) }
}

export interface TracerRegistry {
  register(files: string[], sites: [string, number, number, number][]): ModuleTracer
}

export function createRegistry(rt: TracerRuntime): TracerRegistry {
  return { register: (files, sites) => new ModuleTracer(rt, rt.register(files, sites)) }
}

type AnyIterator = { next(v?: unknown): unknown; return?(v?: unknown): unknown; throw?(v?: unknown): unknown }

async function* fromSync(iterable: Iterable<unknown>): AsyncGenerator<unknown> {
  yield* iterable
}

/**
 * The iterable of a `for await` loop in a traced function: each call the loop makes to
 * next()/return()/throw() is followed by an implicit await, so the activation suspends
 * right after it; the loop body (and the code after the loop) resumes it.
 */
export function wrapForAwait(rt: TracerRuntime, a: Activation, iterable: unknown): unknown {
  if (iterable == null || !(a instanceof Activation)) return iterable
  const src = iterable as Record<symbol, unknown>
  return {
    [Symbol.asyncIterator](): AnyIterator {
      const get = src[Symbol.asyncIterator] as ((this: unknown) => AnyIterator) | undefined
      const inner: AnyIterator = get != null ? get.call(iterable) : (fromSync(iterable as Iterable<unknown>) as unknown as AnyIterator)
      const next = inner.next
      const it: AnyIterator = { next(v) { const p = next.call(inner, v); rt.suspend(a, undefined); return p } }
      const ret = inner.return
      if (ret != null) it.return = (v) => { const p = ret.call(inner, v); rt.suspend(a, undefined); return p }
      const thr = inner.throw
      if (thr != null) it.throw = (v) => { const p = thr.call(inner, v); rt.suspend(a, undefined); return p }
      return it
    },
  }
}

/**
 * The delegate of a `yield*` in a traced generator. The consumer's next()/return()/throw()
 * resumes the delegating generator inside yield*, which calls the delegate's method: the
 * generator goes back on the traced stack first (so the delegate runs as its callee) and
 * leaves it after (the value goes out as a yield; in an async generator an implicit await
 * follows). After the last step, the instrumented `resumed(a, yield* …)` puts it back. The
 * delegate's results are passed through untouched (never read here). An object that is not
 * iterable is returned as is, so yield* throws its own error.
 */
export function wrapDelegate(rt: TracerRuntime, a: Activation, iterable: unknown, isAsync: boolean): unknown {
  if (iterable == null || !(a instanceof Activation)) return iterable
  const src = iterable as Record<symbol, unknown>
  const getSync = src[Symbol.iterator] as ((this: unknown) => AnyIterator) | undefined
  const getAsync = isAsync ? src[Symbol.asyncIterator] as ((this: unknown) => AnyIterator) | undefined : undefined
  if (typeof getAsync !== 'function' && typeof getSync !== 'function') return iterable
  const open = (): AnyIterator => {
    const inner: AnyIterator = typeof getAsync === 'function' ? getAsync.call(iterable)
      : isAsync ? fromSync(iterable as Iterable<unknown>) as unknown as AnyIterator : getSync!.call(iterable)
    // Not an iterator: hand it to yield* as is, so it throws its own error.
    if (inner === null || (typeof inner !== 'object' && typeof inner !== 'function') || typeof inner.next !== 'function') return inner
    const step = (fn: (v?: unknown) => unknown) => (v?: unknown): unknown => {
      rt.resumed(a)
      const r = fn.call(inner, v)
      rt.suspend(a, undefined)
      return r
    }
    const it: AnyIterator = { next: step(inner.next) }
    if (inner.return != null) it.return = step(inner.return)
    if (inner.throw != null) it.throw = step(inner.throw)
    return it
  }
  return isAsync ? { [Symbol.asyncIterator]: open } : { [Symbol.iterator]: open }
}
