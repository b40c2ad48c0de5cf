// Every SONDE_* environment variable, in one table: its default, a one-line meaning, and the
// check its value must pass. sonde reads them only through `setting(name, env)`. A value that
// fails its check is reported once per variable and value as a process warning (code
// SONDE_CONFIG) naming both, and the default is used: a preload must never throw into the app.
// Values are read when asked for, not cached, so a caller (or a test) that passes its own `env`
// or changes process.env sees its value. README.md's configuration table lists the same
// variables (test/layout/readme.test.ts checks the two agree). This file imports nothing from
// sonde: probes/, tracer/ and inspect/ read it too.

/** Who sets a variable: the user, sonde itself for its child processes, or a maintainer running the scripts/. */
export type SettingScope = 'user' | 'internal' | 'tooling'

export interface Setting<T> {
  readonly scope: SettingScope
  /** The value used when the variable is unset (or empty, unless `emptyIsSet`) or invalid. */
  readonly default: T
  /** The default as documentation shows it. */
  readonly shown: string
  readonly meaning: string
  /** What a valid value looks like, for the warning. */
  readonly expects: string
  /** The value, or undefined when `raw` fails the check. */
  readonly parse: (raw: string) => T | undefined
  /** An empty value counts as set (SONDE_TRACE= traces every module). */
  readonly emptyIsSet?: boolean
}

function text(scope: SettingScope, shown: string, meaning: string, emptyIsSet = false): Setting<string | undefined> {
  return { scope, default: undefined, shown, meaning, expects: 'any text', parse: (raw) => raw, emptyIsSet }
}

function integer(scope: SettingScope, def: number | undefined, shown: string, min: number, max: number, meaning: string): Setting<number | undefined> {
  return {
    scope, default: def, shown, meaning, expects: `an integer ${min}..${max}`,
    parse: (raw) => (/^\d+$/.test(raw) && Number(raw) >= min && Number(raw) <= max ? Number(raw) : undefined),
  }
}

function flag(scope: SettingScope, meaning: string): Setting<boolean> {
  return { scope, default: false, shown: 'off', meaning, expects: '1, true, 0 or false', parse: (raw) => (raw === '1' || raw === 'true' ? true : raw === '0' || raw === 'false' ? false : undefined) }
}

function oneOf<const V extends string>(scope: SettingScope, values: readonly V[], def: V, meaning: string): Setting<V> {
  return { scope, default: def, shown: def, meaning, expects: values.join(' or '), parse: (raw) => values.find((v) => v === raw) }
}

/** The trace buffer's default size; the tracer's own default is this one. */
export const DEFAULT_TRACE_BUFFER_BYTES = 32 * 1024 * 1024

export const SETTINGS = {
  SONDE_COLLECT: text('user', 'default', 'the collectors each thread runs and their options, a comma list (collectors/README.md)'),
  SONDE_DASHBOARD: integer('user', undefined, 'off', 0, 65535, 'serve the dashboard from inside the app (main thread) on this port, 0 = any free one'),
  SONDE_DASHBOARD_HOST: text('user', '127.0.0.1', 'the address the in-app dashboard binds (a non-loopback one requires a token)'),
  SONDE_DASHBOARD_TOKEN: text('user', 'none', 'the in-app dashboard\'s bearer token (before SONDE_TOKEN_FILE and SONDE_TOKEN)'),
  SONDE_TOKEN_FILE: text('user', 'none', 'a file holding the dashboard\'s bearer token'),
  SONDE_TOKEN: text('user', 'generated when required', 'the dashboard\'s bearer token'),
  SONDE_RUNTIME_DIR: text('user', '$XDG_RUNTIME_DIR/sonde, else $TMPDIR/sonde-UID', 'the per-user directory of the process registry the dashboard lists'),
  SONDE_METRICS_NAMES: text('user', 'all', 'which metric names /metrics serves: a comma list of sonde, prom-client, otel, or all (collectors/metric-names.ts)'),
  SONDE_TRACE: text('user', 'off', 'trace the functions of the modules this glob or /regex/ matches; set but empty (or 1) = the app\'s own files', true),
  SONDE_TRACE_OUT: text('user', 'sonde-PID.trace', 'the function trace file (children of the app append to it)'),
  SONDE_TRACE_BUFFER_BYTES: integer('user', DEFAULT_TRACE_BUFFER_BYTES, String(DEFAULT_TRACE_BUFFER_BYTES), 65536, 2 ** 31, 'the function tracer\'s buffer per thread, in bytes'),
  SONDE_ADDON_PATH: text('user', 'build/Release/sonde.node or a prebuild', 'load the native addon from this file'),
  SONDE_DYN_ADDON: text('user', 'build/Release/sonde_dyn.node or a prebuild', 'load the dynamic-provider loader from this file'),
  SONDE_DYN_MODE: oneOf('user', ['auto', 'file'] as const, 'auto', 'file: dynamic providers load from a cache file, never from a memfd'),
  SONDE_CACHE_DIR: text('user', '$XDG_CACHE_HOME/sonde/providers', 'where dynamic providers\' shared objects are written when memfd is refused'),
  SONDE_DEBUG: flag('user', 'the CLI prints the stack of an unexpected error'),
  SONDE_TRACE_CREATED: text('internal', 'unset', 'the trace file the first traced process created; its children append to it'),
  SONDE_TRACE_REPORT: text('internal', 'unset', 'set by `sonde run --trace-functions`: the file where the tracer reports which modules its pattern met'),
  SONDE_CPU_PROFILE: text('internal', 'unset', 'set by `sonde run --cpu-profile`: the profile file of the app\'s main thread'),
  SONDE_CPU_COUNTS: flag('internal', 'set by `sonde run --counts`: add exact call counts to the CPU profile'),
  SONDE_ATTACH_PLAN: text('internal', '{}', 'the plan `sonde attach` hands its agent process (JSON)'),
  SONDE_TEST_TIMEOUT_MS: text('tooling', '900000', 'scripts/run-tests.js: the time one test file may take, in ms'),
  SONDE_NODE_: text('tooling', '.cache/node/MAJOR', 'scripts/node-lines.js: SONDE_NODE_<major>=DIR runs that line from DIR'),
} satisfies Record<string, Setting<unknown>>

export type SettingName = keyof typeof SETTINGS
export type SettingValue<K extends SettingName> = (typeof SETTINGS)[K] extends Setting<infer T> ? T : never

const warned = new Set<string>()

/** One SONDE_CONFIG warning per variable and value; never throws. */
export function warnBadSetting(name: string, raw: string, reason: string, fallback: string): void {
  const key = `${name}=${raw}`
  if (warned.has(key)) return
  warned.add(key)
  try {
    process.emitWarning(`sonde: ${name}=${JSON.stringify(raw)}: ${reason}; using ${fallback}`, { code: 'SONDE_CONFIG' })
  } catch { /* a throwing warning listener must not reach the host */ }
}

/** The variable's value from `env` (default process.env), checked; its default when unset or invalid. */
export function setting<K extends SettingName>(name: K, env: NodeJS.ProcessEnv = process.env): SettingValue<K> {
  const s = SETTINGS[name] as Setting<SettingValue<K>>
  const raw = env[name]
  if (raw === undefined || (raw === '' && !s.emptyIsSet)) return s.default
  const value = s.parse(raw)
  if (value !== undefined) return value
  warnBadSetting(name, raw, `expected ${s.expects}`, `the default (${s.shown})`)
  return s.default
}

/** Whether the variable is present in `env` (set, even empty, when empty counts). */
export function isSet(name: SettingName, env: NodeJS.ProcessEnv = process.env): boolean {
  const raw = env[name]
  return raw !== undefined && (raw !== '' || SETTINGS[name].emptyIsSet === true)
}

