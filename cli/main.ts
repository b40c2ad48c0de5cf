// Entry of the `sonde` command: dispatch only. Exit codes: 0 ok, 1 failure, 2 bad usage or input.
import { commands } from './commands'
import { UsageError } from './usage-error'
import { setting } from '../runtime/config'
import { ParseError } from '../viz/model/profile'

function usage(): string {
  const lines = Object.entries(commands).map(([name, load]) => `  ${name.padEnd(12)} ${load().summary}`)
  return `usage: sonde <command> [options]\n\ncommands:\n${lines.join('\n')}\n`
}

export async function main(argv: string[]): Promise<void> {
  const [name, ...rest] = argv
  if (!name || name === '-h' || name === '--help' || name === 'help') {
    process.stdout.write(usage())
    process.exit(name ? 0 : 2)
  }
  const load = commands[name]
  if (!load) {
    process.stderr.write(`sonde: unknown command '${name}' (try 'sonde --help')\n`)
    process.exit(2)
  }
  try {
    const code = await load().run(rest)
    process.exitCode = code
  } catch (err) {
    if (err instanceof UsageError || err instanceof ParseError) {
      process.stderr.write(`sonde ${name}: ${err.message}\n`)
      process.exit(2)
    }
    const e = err as NodeJS.ErrnoException
    if (e && (e.code === 'ENOENT' || e.code === 'EACCES' || e.code === 'EISDIR')) {
      process.stderr.write(`sonde ${name}: ${e.message}\n`)
      process.exit(2)
    }
    process.stderr.write(`sonde ${name}: ${e && e.message ? e.message : String(err)}\n`)
    if (setting('SONDE_DEBUG')) process.stderr.write(String(e && e.stack) + '\n')
    process.exit(1)
  }
}
