// User-defined USDT providers at run time: createProvider(name).probe(name, types).
// Each enable() (and each batch of probes added after it) becomes one small shared object
// (elf-writer.ts) loaded by native-loader.ts; earlier modules stay loaded, so tracers already
// attached keep working. A probe's `enabled` is one read of its own semaphore in that module's
// .probes section (a Uint16Array view); fire() does nothing else while it is 0.
// Set-up is strict (bad names and types throw a TypeError); fire time never throws. Public
// methods are bound to their object: a detached `fire` is still a probe's fire.
import { validateName, validateTypes, type DynArgType } from './arg-types'
import { coerce } from './arg-coerce'
import { writeProviderImage } from './elf-writer'
import { loadImage, nativeDyn, unloadModule, type LoadedModule, type LoadMode } from './native-loader'

export type { DynArgType } from './arg-types'

export const fireFaults = { count: 0 }
const DISABLED = new Uint16Array(1)

// The static relay probe sonde:dyn__fire (in the addon, behind its own semaphore) sees every
// dynamic fire while it is enabled, so system-wide scripts and tracers that cannot open memfd
// objects still see them. `enabled` stays one read of the probe's own semaphore; fire() also
// looks at the relay's.
const relay = (() => {
  try {
    const sp = require('../static-probes') as typeof import('../static-probes')
    const idx = sp.probeIndex({ provider: 'sonde', name: 'dyn__fire' })
    const probe = (sp.sondeProbes as unknown as Record<string, { fire(...a: unknown[]): void } | undefined>).dyn__fire
    if (typeof idx === 'number' && probe) return { sem: sp.semaphores(), idx, fire: probe.fire }
  } catch { /* addon unavailable: no relay (sonde probes reports why) */ }
  return { sem: DISABLED, idx: 0, fire: (..._a: unknown[]) => {} }
})()

function relayArg(v: unknown): number | bigint {
  return typeof v === 'number' || typeof v === 'bigint' ? v : 0
}

export interface ProviderOptions {
  /** 'file' forces the cache-directory shared object (also SONDE_DYN_MODE=file); default 'auto'. */
  mode?: LoadMode | 'auto'
}

export class DynamicProbe {
  /** Semaphore view of the module holding this probe, and this probe's index in it. */
  private sem: Uint16Array = DISABLED
  private idx = 0
  private id = -1
  /** Coerced arguments of the fire in progress (reused: fires are synchronous). */
  private readonly scratch: unknown[] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
  constructor(readonly provider: DynamicProvider, readonly name: string, readonly types: readonly DynArgType[]) {
    // bound, so `const { fire } = probe` and passing probe.fire as a callback still work
    this.fire = this.fire.bind(this)
    this.fireWith = this.fireWith.bind(this)
  }

  /** True while a tracer is attached: one typed-array read. */
  get enabled(): boolean { return this.sem[this.idx] !== 0 }

  /** Where this probe lives once loaded: the object path tracers attach by, or null. */
  get path(): string | null { return this.provider.pathOf(this) }

  /* eslint-disable @typescript-eslint/no-unused-vars, prefer-rest-params -- the twelve parameters are
     fire()'s typed signature; the body reads `arguments` by index, so no array is made per fire */
  fire(a?: unknown, b?: unknown, c?: unknown, d?: unknown, e?: unknown, f?: unknown,
    g?: unknown, h?: unknown, i?: unknown, j?: unknown, k?: unknown, l?: unknown): void {
    if (this.sem[this.idx] === 0 && relay.sem[relay.idx] === 0) return
    try {
      const t = this.types, n = t.length, v = this.scratch
      // `arguments` read by index only, so V8 does not materialize it (no array per fire).
      for (let x = 0; x < n; x++) v[x] = coerce(t[x], arguments[x])
    } catch { fireFaults.count++; return }
    this.send()
  }
  /* eslint-enable @typescript-eslint/no-unused-vars, prefer-rest-params */

  /** Runs `build(...x)` only when enabled and fires with the array it returns. */
  fireWith<X extends unknown[]>(build: (...x: X) => readonly unknown[], ...x: X): void {
    if (this.sem[this.idx] === 0 && relay.sem[relay.idx] === 0) return
    let args: readonly unknown[]
    try { args = build(...x) } catch { fireFaults.count++; return }
    if (!Array.isArray(args)) args = []
    try {
      const t = this.types, n = t.length, v = this.scratch
      for (let i = 0; i < n; i++) v[i] = coerce(t[i], args[i])
    } catch { fireFaults.count++; return }
    this.send()
  }

  /** Fires the coerced arguments in `scratch` at the stub and, when enabled, the relay. */
  private send(): void {
    const v = this.scratch, n = this.types.length
    try {
      const dyn = nativeDyn()
      if (!dyn || this.id < 0) return
      if (this.sem[this.idx] !== 0) {
        // Exact arity: the native side reads only the probe's own arguments.
        if (n <= 2) dyn.fire(this.id, v[0], v[1])
        else if (n <= 4) dyn.fire(this.id, v[0], v[1], v[2], v[3])
        else dyn.fire(this.id, v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9], v[10], v[11])
      }
      if (relay.sem[relay.idx] !== 0) {
        relay.fire(this.provider.name, this.name, relayArg(v[0]), relayArg(v[1]), relayArg(v[2]), relayArg(v[3]), relayArg(v[4]), relayArg(v[5]))
      }
    } catch { fireFaults.count++ }
    for (let i = 0; i < n; i++) v[i] = 0 // keep no caller string alive between fires
  }

  /** @internal Points the probe at its loaded module (or back at the always-zero semaphore). */
  attach(sem: Uint16Array, idx: number, id: number): void { this.sem = sem; this.idx = idx; this.id = id }
}

const registry = new FinalizationRegistry<LoadedModule[]>((modules) => { for (const m of modules) unloadModule(m) })

export class DynamicProvider {
  private readonly probes = new Map<string, DynamicProbe>()
  private pending: DynamicProbe[] = []
  private readonly modules: LoadedModule[] = []
  private readonly paths = new Map<DynamicProbe, string>()
  private flushQueued = false
  private isEnabled = false
  private isDisposed = false
  /** Why the last load failed (both memfd and the cache file), or null. */
  error: string | null = null

  constructor(readonly name: string, private readonly options: ProviderOptions = {}) {
    registry.register(this, this.modules, this)
    this.probe = this.probe.bind(this)
    this.enable = this.enable.bind(this)
    this.dispose = this.dispose.bind(this)
  }

  get enabled(): boolean { return this.isEnabled }
  get disposed(): boolean { return this.isDisposed }
  /** Loaded modules: how each was loaded and the path tracers attach by. */
  get objects(): { mode: LoadMode; path: string; probes: number }[] {
    return this.modules.map((m) => ({ mode: m.mode, path: m.path, probes: m.ids.length }))
  }

  probe<T extends DynArgType[]>(name: string, types: T): DynamicProbe {
    validateName('probe', name)
    const checked = validateTypes(name, types)
    if (this.isDisposed) throw new Error(`sonde: provider ${this.name} is disposed`)
    const old = this.probes.get(name)
    if (old) {
      if (old.types.join() === checked.join()) return old
      throw new TypeError(`sonde: probe ${this.name}:${name} already defined with (${old.types.join(', ')})`)
    }
    const p = new DynamicProbe(this, name, checked)
    this.probes.set(name, p)
    this.pending.push(p)
    if (this.isEnabled && !this.flushQueued) {
      this.flushQueued = true
      queueMicrotask(() => { this.flushQueued = false; this.flush() })
    }
    return p
  }

  /** Makes the defined probes visible to tracers (idempotent; also loads probes added since). */
  enable(): this {
    if (this.isDisposed) return this
    this.isEnabled = true
    this.flush()
    return this
  }

  /** Unloads every module; probes stay callable and do nothing. */
  dispose(): void {
    if (this.isDisposed) return
    this.isDisposed = true
    for (const p of this.probes.values()) p.attach(DISABLED, 0, -1)
    for (const m of this.modules.splice(0)) unloadModule(m)
    this.pending = []
    registry.unregister(this)
  }

  /** @internal */
  pathOf(p: DynamicProbe): string | null { return this.paths.get(p) ?? null }

  private flush(): void {
    if (this.isDisposed || this.pending.length === 0) return
    const batch = this.pending
    this.pending = []
    const image = writeProviderImage(this.name, batch.map((p) => ({ name: p.name, types: p.types })))
    const r = loadImage(this.name, image, batch.map((p) => p.types), this.options.mode ?? 'auto')
    if (typeof r === 'string') { this.error = r; return }
    this.modules.push(r)
    batch.forEach((p, i) => { p.attach(r.semaphores, i, r.ids[i]); this.paths.set(p, r.path) })
  }
}

/** Creates a provider; `name` must be a valid USDT provider name (TypeError otherwise). */
export function createProvider(name: string, options?: ProviderOptions): DynamicProvider {
  return new DynamicProvider(validateName('provider', name), options)
}
