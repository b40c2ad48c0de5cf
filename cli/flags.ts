// Each command declares its flags once, as a node:util parseArgs table; the parser, the help
// check (test/cli/help.test.ts) and `sonde help CMD` all read that table. A bad flag is a
// usage error that names the command's --help.
import { parseArgs } from 'node:util'
import { UsageError } from './usage-error'

export interface FlagSpec { type: 'string' | 'boolean'; short?: string; multiple?: boolean }
export type FlagTable = Readonly<Record<string, FlagSpec>>

/** A usage error for `sonde CMD` that points to its help. */
export function usageError(cmd: string, message: string): UsageError {
  return new UsageError(`${message} (see 'sonde ${cmd} --help')`)
}

/** parseArgs, strict, with its errors as one-line usage errors pointing to `sonde CMD --help`. */
export function parseFlags<T extends FlagTable>(cmd: string, argv: string[], options: T, allowPositionals = true) {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true })
  } catch (e) {
    const first = (e as Error).message.split('\n')[0]
    const unknown = /^Unknown option '([^']+)'/.exec(first)
    throw usageError(cmd, unknown ? `unknown option ${unknown[1]}` : first)
  }
}

/**
 * Splits `[flags] [--] command args…` at the first word that is neither a flag nor a flag's
 * value (or at `--`), so the command's own flags reach it untouched.
 */
export function splitAtCommand(argv: string[], options: FlagTable): { flags: string[]; rest: string[] } {
  const byShort = new Map(Object.entries(options).filter(([, s]) => s.short).map(([n, s]) => [s.short!, n]))
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]
    if (a === '--') return { flags: argv.slice(0, i), rest: argv.slice(i + 1) }
    if (!a.startsWith('-') || a === '-') return { flags: argv.slice(0, i), rest: argv.slice(i) }
    if (a.includes('=')) continue
    const name = a.startsWith('--') ? a.slice(2) : byShort.get(a.slice(1))
    if (name !== undefined && options[name]?.type === 'string') i++
  }
  return { flags: argv, rest: [] }
}
