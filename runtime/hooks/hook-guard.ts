// The fault guard of a runtime hook (runtime/fault-guard.ts with the hook limits): every
// host-facing callback (diagnostics_channel subscribers, patched MessagePort methods, timers)
// runs behind it; after MAX_FAULTS faults the hook switches itself off with ONE
// SONDE_HOOK_FAULT warning. Hook guards are listed for `sonde probes` and tests.
import { createFaultGuard, FAULT_LIMITS, type FaultGuard } from '../fault-guard'

export const HOOK_FAULT_CODE = FAULT_LIMITS.hook.code
export const MAX_FAULTS: number = FAULT_LIMITS.hook.maxFaults

export type HookGuard = FaultGuard

const guards: HookGuard[] = []

export function createHookGuard(name: string, maxFaults = MAX_FAULTS): HookGuard {
  const guard = createFaultGuard(name, { ...FAULT_LIMITS.hook, maxFaults })
  guards.push(guard)
  return guard
}

/** Fault counts of every hook guard in this thread, for `sonde probes` and tests. */
export function hookFaults(): Record<string, number> {
  const out: Record<string, number> = {}
  for (const g of guards) out[g.name] = (out[g.name] ?? 0) + g.faults
  return out
}
