// Bounded JSON text for `json` probe arguments: built only when the probe is enabled, stops
// after `maxBytes` characters (so a huge object costs O(maxBytes), not O(size)), marks cycles
// "[Circular]", and never throws (a throwing getter or toJSON yields "[Unserializable]").

export const JSON_ARG_MAX = 1024
const MAX_DEPTH = 32

class Full extends Error {}

export function boundedJson(value: unknown, maxBytes = JSON_ARG_MAX): string {
  const out: string[] = []
  let size = 0
  const seen: object[] = []
  const emit = (s: string) => {
    if (size + s.length > maxBytes) { out.push(s.slice(0, maxBytes - size)); size = maxBytes; throw new Full() }
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
    } else {
      emit('{')
      let first = true
      for (const k of Object.keys(o)) {
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
  try { walk(value, 0, false) } catch (e) { if (!(e instanceof Full)) return '"[Unserializable]"' }
  return out.join('')
}
