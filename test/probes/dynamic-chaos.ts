// Hostile inputs for dynamic probes, shared by the in-process and the traced robustness tests.
// Returns how many fires should have reached the probe sites when `enabled` was true.
import type { DynamicProvider } from '../../probes/dynamic/provider'

export const CHAOS_TYPES = {
  every: ['i8', 'i16', 'i32', 'i64', 'u8', 'u16', 'u32', 'u64', 'bool', 'string', 'json', 'i8'],
  j: ['json', 'string'],
} as const

export function runChaos(provider: DynamicProvider): { threw: unknown[]; everyFires: number; jFires: number } {
  const threw: unknown[] = []
  const every = provider.probe('every', [...CHAOS_TYPES.every])
  const j = provider.probe('j', [...CHAOS_TYPES.j])
  const guard = (f: () => void) => { try { f() } catch (e) { threw.push(e) } }
  const cyclic: Record<string, unknown> = { a: 1 }
  cyclic.self = cyclic
  const big = 'x'.repeat(1 << 20)
  const hostile = { get x() { throw new Error('getter') } }
  const badToJson = { toJSON() { throw new Error('toJSON') } }
  const badToString = { toString() { throw new Error('toString') } }

  guard(() => every.fireWith(() => { throw new Error('builder') }))              // no fire
  guard(() => every.fireWith(() => 'not an array' as unknown as unknown[]))     // fires with zeros
  guard(() => j.fire(cyclic, 'cyclic'))
  guard(() => j.fire({ big }, big))
  guard(() => j.fire(hostile, 'getter'))
  guard(() => j.fire(badToJson, badToString))
  guard(() => every.fire('nan' as never, {} as never, null as never, 'str' as never, Symbol('s') as never, undefined as never,
    NaN as never, Infinity as never, {} as never, 42 as never, (() => 1) as never, (1n << 100n) as never))
  guard(() => (every.fire as (...a: unknown[]) => void)(1, 2, 3, 4, 5, 6, 7, 8, 9, 'a', {}, 12, 13, 14, 15))
  guard(() => (every.fire as () => void)())
  const enabledBefore = every.enabled
  provider.dispose()
  guard(() => every.fire(1 as never))
  guard(() => j.fireWith(() => [{}, 'after dispose']))
  guard(() => { if (every.enabled) threw.push(new Error('enabled after dispose')) })
  guard(() => provider.dispose())
  guard(() => provider.enable())
  return { threw, everyFires: enabledBefore ? 4 : 0, jFires: enabledBefore ? 4 : 0 }
}
