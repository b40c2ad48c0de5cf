// Collector configuration: from the SONDE_COLLECT environment variable or the API.
// Validation is strict and happens once, at start; a bad option throws a CollectorConfigError
// whose message names the option. Nothing after start throws.
//
//   SONDE_COLLECT=default                       every default collector (the same as unset)
//   SONDE_COLLECT=gc,messages,alloc-interval=65536
//   SONDE_COLLECT=default,alloc-max-rate=0      fixed sampling interval (no rate cap)
//   SONDE_COLLECT=default,-alloc                defaults without the allocation sampler
//   SONDE_COLLECT=none                          nothing

import { DEFAULT_ALLOC_INTERVAL_BYTES, DEFAULT_ALLOC_MAX_SAMPLES_PER_SEC } from '../runtime/alloc-sampler'

export const COLLECTOR_NAMES = ['messages', 'gc', 'alloc', 'eventloop', 'http', 'request-cost'] as const
export type CollectorName = typeof COLLECTOR_NAMES[number]

export interface CollectorsConfig {
  /** Which collectors run. */
  collectors: CollectorName[]
  /** Sampling heap profiler interval, bytes (≥ 32 KiB by default so it stays cheap). */
  allocIntervalBytes: number
  /** Allocation samples per second (per thread) above which the interval is raised; 0 keeps it fixed. */
  allocMaxRate: number
  /** Distinct route labels kept for HTTP/request metrics; further routes fold into "other". */
  maxRoutes: number
  /** Distinct message channels kept; further channels fold into "other". */
  maxChannels: number
  /** Top allocation sites exported as labels. */
  topSites: number
  /** Length of one series-ring interval (heatmap column), ms. */
  intervalMs: number
  /** Intervals kept in each series ring. */
  seriesSlots: number
  /** Requests per second whose CPU and allocation are measured (request-cost; the rest are counted). */
  costPerSec: number
}

export const DEFAULT_CONFIG: Readonly<CollectorsConfig> = Object.freeze({
  collectors: [...COLLECTOR_NAMES],
  allocIntervalBytes: DEFAULT_ALLOC_INTERVAL_BYTES,  // 512 KiB, V8's own default; 64 KiB cost ~15 µs CPU per express request (bench/collectors-express.ts)
  allocMaxRate: DEFAULT_ALLOC_MAX_SAMPLES_PER_SEC,  // 100/s: the interval doubles while more arrive (runtime/alloc-sampler.ts)
  maxRoutes: 100,
  maxChannels: 64,
  topSites: 20,
  intervalMs: 1000,
  seriesSlots: 60,
  costPerSec: 200,
})

export class CollectorConfigError extends Error {
  constructor(message: string) { super(message); this.name = 'CollectorConfigError' }
}

const NUMERIC: Record<string, [keyof CollectorsConfig, number, number]> = {
  'alloc-interval': ['allocIntervalBytes', 1024, 64 * 1024 * 1024],
  'alloc-max-rate': ['allocMaxRate', 0, 1_000_000],
  'max-routes': ['maxRoutes', 1, 10000],
  'max-channels': ['maxChannels', 1, 10000],
  'top-sites': ['topSites', 1, 1000],
  'interval-ms': ['intervalMs', 100, 3600_000],
  'series-slots': ['seriesSlots', 1, 3600],
  'cost-per-sec': ['costPerSec', 1, 1_000_000],
}

function checkInt(option: string, value: unknown, min: number, max: number): number {
  const n = typeof value === 'string' && /^\d+$/.test(value.trim()) ? Number(value) : value
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
    throw new CollectorConfigError(`sonde collectors: option ${option} must be an integer in ${min}..${max}, got ${JSON.stringify(value)}`)
  }
  return n
}

function checkName(option: string, name: string): CollectorName {
  if (!(COLLECTOR_NAMES as readonly string[]).includes(name)) {
    throw new CollectorConfigError(`sonde collectors: ${option}: unknown collector "${name}" (known: ${COLLECTOR_NAMES.join(', ')}, default, none)`)
  }
  return name as CollectorName
}

/** Parse SONDE_COLLECT. Empty or undefined → defaults. */
export function parseCollectSpec(spec: string | undefined): CollectorsConfig {
  const cfg: CollectorsConfig = { ...DEFAULT_CONFIG, collectors: [...DEFAULT_CONFIG.collectors] }
  if (spec === undefined || spec.trim() === '') return cfg
  const chosen = new Set<CollectorName>()
  let sawName = false
  for (const raw of spec.split(',')) {
    const tok = raw.trim()
    if (tok === '') continue
    const eq = tok.indexOf('=')
    if (eq >= 0) {
      const key = tok.slice(0, eq).trim(), value = tok.slice(eq + 1).trim()
      const spec = NUMERIC[key]
      if (!spec) throw new CollectorConfigError(`sonde collectors: SONDE_COLLECT: unknown option "${key}" (known: ${Object.keys(NUMERIC).join(', ')})`)
      ;(cfg as unknown as Record<string, number>)[spec[0]] = checkInt(`SONDE_COLLECT ${key}`, value, spec[1], spec[2])
    } else if (tok === 'default' || tok === 'all') {
      sawName = true
      for (const n of DEFAULT_CONFIG.collectors) chosen.add(n)
    } else if (tok === 'none') {
      sawName = true
    } else if (tok.startsWith('-')) {
      if (!sawName) { sawName = true; for (const n of DEFAULT_CONFIG.collectors) chosen.add(n) }
      chosen.delete(checkName('SONDE_COLLECT', tok.slice(1)))
    } else {
      sawName = true
      chosen.add(checkName('SONDE_COLLECT', tok))
    }
  }
  if (sawName) cfg.collectors = COLLECTOR_NAMES.filter((n) => chosen.has(n))
  return cfg
}

/** Validate an API config (partial, merged over defaults). Throws CollectorConfigError. */
export function resolveConfig(input: Partial<CollectorsConfig> | string | undefined): CollectorsConfig {
  if (input === undefined || typeof input === 'string') return parseCollectSpec(input)
  if (typeof input !== 'object' || input === null) throw new CollectorConfigError(`sonde collectors: config must be an object or a SONDE_COLLECT string, got ${typeof input}`)
  const cfg: CollectorsConfig = { ...DEFAULT_CONFIG, collectors: [...DEFAULT_CONFIG.collectors] }
  const known = new Set<string>(['collectors', ...Object.values(NUMERIC).map((s) => s[0])])
  for (const key of Object.keys(input)) {
    if (!known.has(key)) throw new CollectorConfigError(`sonde collectors: unknown option "${key}" (known: ${[...known].join(', ')})`)
  }
  if (input.collectors !== undefined) {
    if (!Array.isArray(input.collectors)) throw new CollectorConfigError('sonde collectors: option collectors must be an array of collector names')
    const set = new Set(input.collectors.map((n) => checkName('option collectors', String(n))))
    cfg.collectors = COLLECTOR_NAMES.filter((n) => set.has(n))
  }
  for (const [opt, [key, min, max]] of Object.entries(NUMERIC)) {
    const v = (input as Record<string, unknown>)[key]
    if (v !== undefined) (cfg as unknown as Record<string, number>)[key] = checkInt(`${key} (${opt})`, v, min, max)
  }
  return cfg
}
