// Finds one array of a large JSON document and the bounds of its elements without parsing
// the document, so each element can be parsed on its own and dropped while it is young
// (JSON.parse of a 150 MB profile keeps every node alive at once and leaves them all to a
// full GC). Only the structure is scanned: strings are skipped with indexOf, containers by
// depth. Malformed input gives null or false: the caller then parses the whole text, whose
// error message names the real fault.

function skipWs(t: string, i: number): number {
  for (;;) {
    const c = t.charCodeAt(i)
    if (c === 32 || c === 10 || c === 13 || c === 9) i++
    else return i
  }
}

/** The offset after the string that opens at i, or -1. */
function skipString(t: string, i: number): number {
  let from = i + 1
  for (;;) {
    const q = t.indexOf('"', from)
    if (q < 0) return -1
    let slashes = 0
    for (let b = q - 1; t.charCodeAt(b) === 92; b--) slashes++
    if (slashes % 2 === 0) return q + 1
    from = q + 1
  }
}

/** The offset after the value that starts at i, or -1. */
function skipValue(t: string, i: number): number {
  const c = t.charCodeAt(i)
  if (c === 34) return skipString(t, i)
  if (c === 123 || c === 91) {
    let depth = 0
    for (let j = i; j < t.length; j++) {
      const d = t.charCodeAt(j)
      if (d === 34) {
        const after = skipString(t, j)
        if (after < 0) return -1
        j = after - 1
      } else if (d === 123 || d === 91) depth++
      else if (d === 125 || d === 93) { if (--depth === 0) return j + 1 }
    }
    return -1
  }
  let j = i
  while (j < t.length) {
    const d = t.charCodeAt(j)
    if (d === 44 || d === 125 || d === 93 || d === 32 || d === 10 || d === 13 || d === 9) break
    j++
  }
  return j > i ? j : -1
}

/** Bounds [start, end) of the array value of `key` in the top-level object, or null. */
export function topLevelArray(t: string, key: string): { start: number; end: number } | null {
  let i = skipWs(t, 0)
  if (t.charCodeAt(i) !== 123) return null
  i = skipWs(t, i + 1)
  while (t.charCodeAt(i) === 34) {
    const keyEnd = skipString(t, i)
    if (keyEnd < 0) return null
    const k = t.slice(i + 1, keyEnd - 1)
    i = skipWs(t, keyEnd)
    if (t.charCodeAt(i) !== 58) return null
    i = skipWs(t, i + 1)
    const end = skipValue(t, i)
    if (end < 0) return null
    if (k === key) return t.charCodeAt(i) === 91 ? { start: i, end } : null
    i = skipWs(t, end)
    if (t.charCodeAt(i) !== 44) return null
    i = skipWs(t, i + 1)
  }
  return null
}

/** Calls `fn(start, end)` for each element of the array at [start, end). False when malformed. */
export function forEachElement(t: string, start: number, end: number, fn: (s: number, e: number) => void): boolean {
  let i = skipWs(t, start + 1)
  if (t.charCodeAt(i) === 93) return i === end - 1
  for (;;) {
    const e = skipValue(t, i)
    if (e < 0 || e >= end) return false
    fn(i, e)
    i = skipWs(t, e)
    const c = t.charCodeAt(i)
    if (c === 93) return i === end - 1
    if (c !== 44) return false
    i = skipWs(t, i + 1)
  }
}
