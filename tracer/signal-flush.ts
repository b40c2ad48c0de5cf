// Flushes that must run before SIGINT or SIGTERM ends the process: the function trace and the
// CPU profile. One listener per signal runs all of them, and re-raises the signal only when the
// app has no handler of its own, so the process still dies by it exactly as without sonde.
// (One listener for all: two sonde listeners would each see the other as the app's handler and
// neither would re-raise, leaving the app running after the signal.)
const KEY = Symbol.for('sonde.signal-flushes')

type Listener = (sig: NodeJS.Signals) => void
interface Registry { flushes: Set<() => void>; listeners: Map<NodeJS.Signals, Listener> }

function registry(): Registry {
  const g = globalThis as unknown as Record<symbol, Registry | undefined>
  return (g[KEY] ??= { flushes: new Set(), listeners: new Map() })
}

/** Runs `flush` on SIGINT/SIGTERM (main thread only); returns its removal. Never throws into the host. */
export function addSignalFlush(flush: () => void, signals: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM']): () => void {
  const reg = registry()
  reg.flushes.add(flush)
  for (const sig of signals) {
    if (reg.listeners.has(sig)) continue
    const listener: Listener = (s) => {
      for (const f of [...reg.flushes]) { try { f() } catch { /* a flush never stops the others */ } }
      if (process.listenerCount(s) === 1) {
        // only ours: the app relied on the default action
        process.removeListener(s, listener)
        reg.listeners.delete(s)
        process.kill(process.pid, s)
      }
    }
    reg.listeners.set(sig, listener)
    process.on(sig, listener)
  }
  return () => {
    reg.flushes.delete(flush)
    if (reg.flushes.size) return
    for (const [s, l] of reg.listeners) process.removeListener(s, l)
    reg.listeners.clear()
  }
}
