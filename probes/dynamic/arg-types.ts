// Argument types of dynamic (user-defined) USDT probes and their stapsdt argument specs.
// x86-64 SysV: arguments 1-6 in registers, 7-12 on the stack. At the probe point (the stub's
// first instruction) [%rsp] is the return address, so argument 7 is at 8(%rsp), 12 at 48(%rsp).
// Spec format "SIZE@OPERAND" (https://sourceware.org/systemtap/wiki/UserSpaceProbeImplementation):
// a negative size means signed. Every slot carries a fully sign/zero-extended 64-bit value, so a
// tool reading the whole register and one reading SIZE bytes see the same number.

export type DynArgType = 'i8' | 'i16' | 'i32' | 'i64' | 'u8' | 'u16' | 'u32' | 'u64' | 'bool' | 'string' | 'json'

export const DYN_ARG_TYPES: readonly DynArgType[] = ['i8', 'i16', 'i32', 'i64', 'u8', 'u16', 'u32', 'u64', 'bool', 'string', 'json']

export const MAX_DYN_ARGS = 12

const SIZE: Record<DynArgType, number> = {
  i8: -1, i16: -2, i32: -4, i64: -8, u8: 1, u16: 2, u32: 4, u64: 8, bool: 1, string: 8, json: 8,
}

const REGISTERS = ['%rdi', '%rsi', '%rdx', '%rcx', '%r8', '%r9']

/** The stapsdt operand of 0-based argument `index` at the stub's first instruction. */
export function argOperand(index: number): string {
  return index < REGISTERS.length ? REGISTERS[index] : `${8 * (index - REGISTERS.length + 1)}(%rsp)`
}

/** The whole argument string of a probe note, e.g. "-8@%rdi 8@%rsi". */
export function argSpec(types: readonly DynArgType[]): string {
  return types.map((t, i) => `${SIZE[t]}@${argOperand(i)}`).join(' ')
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/
/** Longest provider or probe name: keeps `<provider>__<probe>` symbols and notes readable. */
export const MAX_NAME_LENGTH = 64

/** Throws a TypeError naming the problem when `name` cannot be a USDT provider or probe name. */
export function validateName(kind: 'provider' | 'probe', name: unknown): string {
  if (typeof name !== 'string') throw new TypeError(`sonde: ${kind} name must be a string, got ${typeof name}`)
  if (name.length === 0 || name.length > MAX_NAME_LENGTH || !NAME.test(name)) {
    throw new TypeError(`sonde: invalid ${kind} name ${JSON.stringify(name)}: use 1-${MAX_NAME_LENGTH} characters [A-Za-z0-9_], not starting with a digit`)
  }
  return name
}

/** Throws a TypeError naming the bad entry when `types` is not a list of at most 12 argument types. */
export function validateTypes(probe: string, types: unknown): DynArgType[] {
  if (!Array.isArray(types)) throw new TypeError(`sonde: probe ${probe}: argument types must be an array`)
  if (types.length > MAX_DYN_ARGS) throw new TypeError(`sonde: probe ${probe}: ${types.length} arguments, at most ${MAX_DYN_ARGS}`)
  return types.map((t, i) => {
    if (!DYN_ARG_TYPES.includes(t as DynArgType)) {
      throw new TypeError(`sonde: probe ${probe}: argument ${i} has type ${JSON.stringify(t)}, expected one of ${DYN_ARG_TYPES.join(' ')}`)
    }
    return t as DynArgType
  })
}
