// Turns whatever the caller passed into the value the native fire expects for each argument
// type: 32-bit and smaller integers wrapped like C casts, 64-bit integers as a number or a
// bigint (exact above 2^53), bool as 0/1, strings as strings (the native side copies at most
// its bound, cut at a UTF-8 character boundary), json as bounded JSON text. Never throws:
// a value of the wrong type becomes 0 / "" and is counted in `coercions`.
import type { DynArgType } from './arg-types'
import { boundedJson } from './json-bounded'

export const counters = { coercions: 0 }

function toNumber(v: unknown): number {
  if (typeof v === 'number') return Number.isFinite(v) ? Math.trunc(v) : (counters.coercions++, 0)
  if (typeof v === 'bigint') return Number(BigInt.asIntN(64, v))
  if (typeof v === 'boolean') return v ? 1 : 0
  counters.coercions++
  return 0
}

function to64(v: unknown, unsigned: boolean): number | bigint {
  if (typeof v === 'bigint') return BigInt.asIntN(64, v)
  const n = toNumber(v)
  if (Number.isSafeInteger(n)) return n
  const b = BigInt(n)
  return BigInt.asIntN(64, unsigned ? BigInt.asUintN(64, b) : b)
}

function toText(v: unknown): string {
  if (typeof v === 'string') return v
  counters.coercions++
  try { return v === undefined || v === null ? '' : String(v) } catch { return '' }
}

export function coerce(type: DynArgType, v: unknown): number | bigint | string {
  switch (type) {
    case 'i8': return (toNumber(v) << 24) >> 24
    case 'i16': return (toNumber(v) << 16) >> 16
    case 'i32': return toNumber(v) | 0
    case 'u8': return toNumber(v) & 0xff
    case 'u16': return toNumber(v) & 0xffff
    case 'u32': return toNumber(v) >>> 0
    case 'i64': return to64(v, false)
    case 'u64': return to64(v, true)
    case 'bool': return v ? 1 : 0
    case 'string': return toText(v)
    case 'json': return boundedJson(v)
  }
}
