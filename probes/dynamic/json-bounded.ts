// Bounded JSON text for `json` probe arguments: built only when the probe is enabled, stops
// after `maxBytes` characters, marks cycles "[Circular]", and never throws (a throwing getter
// or toJSON yields "[Unserializable]").
// Bounded in work too: arrays and typed arrays are walked by index and stop with the output.
// An object's keys cannot be listed in part (Object.keys and for-in both collect all of them
// first, ~0.5 s for 10^6 keys), so for an object with more than LARGE_KEYS keys the first
// KEY_PREFIX keys are kept (WeakMap, by identity) and later fires of the same object walk
// only those (values read afresh, deleted keys skipped; keys added later come after them in
// enumeration order, beyond what the output has room for). Its first fire pays the full cost.

export const JSON_ARG_MAX = 1024
const MAX_DEPTH = 32
const LARGE_KEYS = 4096
/** More keys than any output of JSON_ARG_MAX bytes can show (each takes ≥ 4 characters). */
const KEY_PREFIX = 1024
const keyPrefixes = new WeakMap<object, string[]>()

function keysOf(o: object): string[] {
  const cached = keyPrefixes.get(o)
  if (cached) return cached
  const keys = Object.keys(o)
  if (keys.length <= LARGE_KEYS) return keys
  const prefix = keys.slice(0, KEY_PREFIX)
  keyPrefixes.set(o, prefix)
  return prefix
}

/** Thrown to stop at the byte bound: a plain object, no stack trace captured on each full output. */
const FULL = { full: true }

export function boundedJson(value: unknown, maxBytes = JSON_ARG_MAX): string {
  const out: string[] = []
  let size = 0
  const seen: object[] = []
  const emit = (s: string) => {
    if (size + s.length > maxBytes) { out.push(s.slice(0, maxBytes - size)); size = maxBytes; throw FULL }
    out.push(s); size += s.length
  }
  const walk = (v: unknown, depth: number, inArray: boolean): void => {
    if (v !== null && typeof v === 'object' && typeof (v as { toJSON?: unknown }).toJSON === 'function') {
      v = (v as { toJSON(): unknown }).toJSON()
    }
    switch (typeof v) {
      case 'string': emit(JSON.stringify(v.length > maxBytes ? v.slice(0, maxBytes) : v)); return
      case 'number': emit(Number.isFinite(v) ? String(v) : 'null'); return
      case 'boolean': emit(v ? 'true' : 'false'); return
      case 'bigint': emit(String(v)); return
      case 'undefined': case 'function': case 'symbol': emit(inArray ? 'null' : 'null'); return
    }
    if (v === null) { emit('null'); return }
    const o = v as object
    if (seen.includes(o)) { emit('"[Circular]"'); return }
    if (depth >= MAX_DEPTH) { emit('"[Deep]"'); return }
    seen.push(o)
    if (Array.isArray(o)) {
      emit('[')
      for (let i = 0; i < o.length; i++) { if (i) emit(','); walk(o[i], depth + 1, true) }
      emit(']')
    } else if (ArrayBuffer.isView(o) && !(o instanceof DataView)) {
      // what JSON.stringify gives ({"0":…}), without listing every index first
      const t = o as unknown as ArrayLike<number | bigint>
      emit('{')
      for (let i = 0; i < t.length; i++) { emit(`${i ? ',' : ''}"${i}":`); walk(t[i], depth + 1, false) }
      emit('}')
    } else {
      emit('{')
      let first = true
      for (const k of keysOf(o)) {
        if (!Object.prototype.hasOwnProperty.call(o, k)) continue
        const x = (o as Record<string, unknown>)[k]
        if (x === undefined || typeof x === 'function' || typeof x === 'symbol') continue
        emit((first ? '' : ',') + JSON.stringify(k.length > maxBytes ? k.slice(0, maxBytes) : k) + ':')
        first = false
        walk(x, depth + 1, false)
      }
      emit('}')
    }
    seen.pop()
  }
  try { walk(value, 0, false) } catch (e) { if (e !== FULL) return '"[Unserializable]"' }
  return out.join('')
}
