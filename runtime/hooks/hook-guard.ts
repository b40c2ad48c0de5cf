// Guards every host-facing callback of a runtime hook (diagnostics_channel subscribers,
// patched MessagePort methods, timers): a fault is caught and counted, never thrown into
// the application; after MAX_FAULTS faults the hook switches itself off and emits ONE
// process.emitWarning with the stable code SONDE_HOOK_FAULT.
import { debuglog } from 'node:util'

const debug = debuglog('sonde')

export const HOOK_FAULT_CODE = 'SONDE_HOOK_FAULT'
export const MAX_FAULTS = 5

export interface HookGuard {
  readonly name: string
  /** Faults caught so far (never reset). */
  readonly faults: number
  /** False once the guard tripped: the hook's callbacks must become pass-through. */
  readonly on: boolean
  /** Runs `fn`, returning its result, or `undefined` after catching a fault. */
  run<R>(fn: () => R): R | undefined
  /** Records a fault caught elsewhere (e.g. in a hot path that inlines its own try/catch). */
  fault(err: unknown): void
  /** Sets what switching off does (usually the hook's uninstall). */
  onTrip(off: () => void): void
}

const guards: HookGuard[] = []

export function createHookGuard(name: string, maxFaults = MAX_FAULTS): HookGuard {
  let faults = 0
  let off: (() => void) | undefined
  // `on` is a plain field: hot paths read it per event (a getter here ran as its own call in perf profiles).
  const guard: HookGuard & { on: boolean } = {
    name,
    on: true,
    get faults() { return faults },
    run(fn) {
      if (!guard.on) return undefined
      try { return fn() } catch (err) { guard.fault(err); return undefined }
    },
    fault(err) {
      faults++
      debug('hook %s fault %d: %s', name, faults, (err as Error)?.stack ?? err)
      if (!guard.on || faults < maxFaults) return
      guard.on = false
      try { off?.() } catch (e) { debug('hook %s uninstall failed: %s', name, e) }
      const why = (err as Error)?.message ?? String(err)
      try {
        process.emitWarning(`sonde: the ${name} hook faulted ${faults} times and was switched off (last: ${why})`,
          { code: HOOK_FAULT_CODE })
      } catch { /* a throwing 'warning' listener must not reach the host either */ }
    },
    onTrip(fn) { off = fn },
  }
  guards.push(guard)
  return guard
}

/** Fault counts of every hook guard in this thread, for `sonde probes` and tests. */
export function hookFaults(): Record<string, number> {
  const out: Record<string, number> = {}
  for (const g of guards) out[g.name] = (out[g.name] ?? 0) + g.faults
  return out
}
