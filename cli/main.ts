// Entry of the `sonde` command: dispatch only. Exit codes: 0 ok, 1 failure, 2 bad usage or input.
// `sonde help CMD` and `sonde CMD --help` print the command's help on stdout; `--version` the
// package's version. A closed stdout (`sonde … | head -1`) ends the command quietly.
import fs from 'node:fs'
import path from 'node:path'
import { commands } from './commands'
import { UsageError } from './usage-error'
import { setting } from '../runtime/config'
import { ParseError } from '../viz/model/profile'

function usage(): string {
  const lines = Object.entries(commands).map(([name, load]) => `  ${name.padEnd(12)} ${load().summary}`)
  return `usage: sonde <command> [options]\n\ncommands:\n${lines.join('\n')}\n  help CMD     the usage and flags of CMD (also: sonde CMD --help)\n  version      the version of sonde (also: --version, -V)\n`
}

function version(): string {
  // package.json sits at the package root: two levels above dist/cli/, one above cli/
  for (const up of ['..', path.join('..', '..')]) {
    try { return (JSON.parse(fs.readFileSync(path.join(__dirname, up, 'package.json'), 'utf8')) as { version: string }).version } catch { /* next */ }
  }
  return 'unknown'
}

/** EPIPE on stdout: the reader has gone (`| head`), which is not an error of ours. */
function quietOnClosedStdout(): void {
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0)
    process.stderr.write(`sonde: stdout: ${e.message}\n`)
    process.exit(1)
  })
}

export async function main(argv: string[]): Promise<void> {
  quietOnClosedStdout()
  const [name, ...rest] = argv
  if (name === '--version' || name === '-V' || name === 'version') {
    process.stdout.write(`sonde ${version()}\n`)
    return
  }
  if (name === 'help' && rest.length) {
    const load = commands[rest[0]]
    if (!load) {
      process.stderr.write(`sonde help: unknown command '${rest[0]}' (try 'sonde --help')\n`)
      process.exit(2)
    }
    process.stdout.write(load().help.trimEnd() + '\n')
    return
  }
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
    if (e && e.code === 'EPIPE') process.exit(0)
    if (e && (e.code === 'ENOENT' || e.code === 'EACCES' || e.code === 'EISDIR')) {
      process.stderr.write(`sonde ${name}: ${e.message}\n`)
      process.exit(2)
    }
    process.stderr.write(`sonde ${name}: ${e && e.message ? e.message : String(err)}\n`)
    if (setting('SONDE_DEBUG')) process.stderr.write(String(e && e.stack) + '\n')
    process.exit(1)
  }
}
