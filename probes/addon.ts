// Loads the native addon (build/Release/sonde.node). When it cannot load, a stub with the
// same shape takes its place (every semaphore reads 0, fires do nothing) and addonStatus()
// says why: never a silent stub. SONDE_ADDON_PATH overrides the path (tests use it to force
// the stub).
import fs from 'node:fs'
import path from 'node:path'
import { debuglog } from 'node:util'
import { probeKey, staticProbes } from './catalogue'

const debug = debuglog('sonde')

export interface RawAllocSample {
  bytes: number
  functionName: string
  url: string
  line: number
  /** "fn url:line", leaf first, bounded depth. */
  stack: string[]
}

export interface NativeAddon {
  /** The .probes semaphore array (one u16 per catalogue probe, catalogue order). */
  semaphores: ArrayBuffer
  probeIndex: Record<string, number>
  fire: Record<string, (...args: unknown[]) => void>
  faults(): number
  benchEmpty(): void
  isolateAddress(): string
  gcRingStart(drain: () => void): boolean
  gcRingStop(): void
  gcDrain(out: Float64Array): number
  /** [dropped ring records, unpaired epilogues, current nesting depth] */
  gcStats(): [number, number, number]
  allocStart(intervalBytes: number, stackDepth: number): boolean
  allocPoll(maxStack: number): RawAllocSample[]
  /** [samples seen, profiler restarts] */
  allocStats(): [number, number]
  allocStop(): void
}

export interface AddonStatus { loaded: boolean; path: string; error?: string }

let addon: NativeAddon | undefined
let status: AddonStatus = { loaded: false, path: '' }

function candidates(): string[] {
  if (process.env.SONDE_ADDON_PATH) return [path.resolve(process.env.SONDE_ADDON_PATH)]
  // probes/addon.ts (sources) and dist/probes/addon.js (built) both find <root>/build.
  return [path.join(__dirname, '..', 'build', 'Release', 'sonde.node'), path.join(__dirname, '..', '..', 'build', 'Release', 'sonde.node')]
}

function stub(): NativeAddon {
  const noop = (): void => {}
  const fire: Record<string, (...args: unknown[]) => void> = {}
  const probeIndex: Record<string, number> = {}
  staticProbes.forEach((p, i) => { fire[probeKey(p)] = noop; probeIndex[probeKey(p)] = i })
  return {
    semaphores: new ArrayBuffer(staticProbes.length * 2), probeIndex, fire,
    faults: () => 0, benchEmpty: noop, isolateAddress: () => '',
    gcRingStart: () => false, gcRingStop: noop, gcDrain: () => 0, gcStats: () => [0, 0, 0],
    allocStart: () => false, allocPoll: () => [], allocStats: () => [0, 0], allocStop: noop,
  }
}

function load(): NativeAddon {
  const tried = candidates()
  const file = tried.find((p) => fs.existsSync(p))
  if (!file) {
    status = { loaded: false, path: tried[0], error: `not built: ${tried.join(' or ')} missing (run npm install)` }
    return stub()
  }
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const a = require(file) as NativeAddon
    if (a.semaphores.byteLength !== staticProbes.length * 2 || Object.keys(a.fire).length !== staticProbes.length) {
      throw new Error(`built from a different catalogue (${a.semaphores.byteLength / 2} probes, catalogue has ${staticProbes.length}); rebuild with npm run install`)
    }
    status = { loaded: true, path: file }
    return a
  } catch (err) {
    status = { loaded: false, path: file, error: (err as Error)?.message ?? String(err) }
    debug('addon load failed: %s', status.error)
    return stub()
  }
}

/** The addon for this thread (each worker loads its own instance). */
export function nativeAddon(): NativeAddon {
  if (!addon) addon = load()
  return addon
}

export function addonStatus(): AddonStatus {
  nativeAddon()
  return { ...status }
}
