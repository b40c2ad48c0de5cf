// What instrumented code says about itself through Function.prototype.toString: its
// original source. Every fragment the instrumenter inserts is wrapped in marker comments,
// and every function declaration it hoists out of a body (instrument.ts: so it stays
// function-scoped) is wrapped in numbered markers with a placeholder left where it stood:
//   function g(){/*<h0*/function f(){…}/*h0>*//*<s*/const __sonde_d=…;try{/*s>*/ a(); /*@h0*/ …
// restoreOriginalSource() puts each hoisted declaration back at its placeholder and drops
// the inserted fragments, so `g.toString()` is byte for byte what the file says.
// installToStringHook() makes Function.prototype.toString do that for every function.

export const FRAGMENT_OPEN = '/*<s*/'
export const FRAGMENT_CLOSE = '/*s>*/'
export const hoistOpen = (n: number): string => `/*<h${n}*/`
export const hoistClose = (n: number): string => `/*h${n}>*/`
export const hoistPlaceholder = (n: number): string => `/*@h${n}*/`
/** Source containing any of these was written by the instrumenter (or mimics it): not instrumented again. */
export const MARKER_PREFIXES = ['/*<s*/', '/*<h', '/*@h']

// An expression-bodied arrow's source, as V8 keeps it, ends at the `}` of the block the
// instrumenter gave it: its last fragment has no close marker and runs to the end.
const FRAGMENT = /\/\*<s\*\/[\s\S]*?(?:\/\*s>\*\/|$)/g
const HOIST = /\/\*<h(\d+)\*\/([\s\S]*?)\/\*h\1>\*\//

/** `text` (a function's source as V8 keeps it) without what the instrumenter added. */
export function restoreOriginalSource(text: string): string {
  if (!text.includes('/*<')) return text
  let s = text
  for (let m = HOIST.exec(s); m; m = HOIST.exec(s)) {
    const without = s.slice(0, m.index) + s.slice(m.index + m[0].length)
    const ph = hoistPlaceholder(Number(m[1]))
    const at = without.indexOf(ph)
    s = at < 0 ? without : without.slice(0, at) + m[2] + without.slice(at + ph.length)
  }
  return s.replace(FRAGMENT, '')
}

let installed: ((this: unknown, ...args: unknown[]) => string) | undefined

/**
 * Replaces Function.prototype.toString (in this thread) by a proxy of the original that
 * restores instrumented functions' source; everything else, including its own toString and
 * the errors it throws for non-functions, is the original's. Returns the uninstall function.
 */
export function installToStringHook(): () => void {
  if (installed && Function.prototype.toString === installed) return () => {}
  const original = Function.prototype.toString
  const hooked = new Proxy(original, {
    apply(target, thisArg, args) {
      if (thisArg === hooked) return Reflect.apply(target, target, args)
      const text = Reflect.apply(target, thisArg, args) as string
      if (!text.includes('/*<')) return text
      try { return restoreOriginalSource(text) } catch { return text }
    },
  })
  Function.prototype.toString = hooked
  installed = hooked
  return () => {
    if (Function.prototype.toString === hooked) Function.prototype.toString = original
    if (installed === hooked) installed = undefined
  }
}
