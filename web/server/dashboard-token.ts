// Where the dashboard's bearer token comes from, decided once before it binds: the `token`
// option (the CLI's --token, visible to every local user in `ps`, so the file and environment
// forms are preferred), else the file named by SONDE_TOKEN_FILE, else SONDE_TOKEN. With none
// given, a random token is generated when one is required: a non-loopback bind (anyone who
// reaches the port could read the process) or a dashboard that can start programs (the
// bpftrace panel runs bpftrace as this user). The caller prints a generated token once, in the
// URL's #fragment. Bad settings throw DashboardConfigError (one line; the CLI exits 2).
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import { DashboardConfigError } from './listen-safety'
import { setting } from '../../runtime/config'

/**
 * Shortest token accepted. 20 characters hold at least 80 bits even as hex (`openssl rand -hex
 * 10`): at 10^5 guesses a second over HTTP that is ~4·10^11 years of trying. 8 characters (a
 * word, a date) can be guessed; the generated tokens are 43 characters (256 bits).
 */
export const MIN_TOKEN_LENGTH = 20
const MAX_TOKEN_LENGTH = 256
const TOKEN_BYTES = 32

export type TokenSource = 'option' | 'SONDE_TOKEN_FILE' | 'SONDE_TOKEN' | 'generated' | 'none'
export interface TokenChoice { token?: string; source: TokenSource }

export function generateToken(): string { return randomBytes(TOKEN_BYTES).toString('base64url') }

function checked(token: string, from: string): string {
  const re = new RegExp(`^[\\x21-\\x7e]{${MIN_TOKEN_LENGTH},${MAX_TOKEN_LENGTH}}$`)
  if (!re.test(token)) throw new DashboardConfigError(`${from} must be ${MIN_TOKEN_LENGTH}..${MAX_TOKEN_LENGTH} printable ASCII characters without spaces, got ${token.length} characters`)
  return token
}

function readTokenFile(file: string): string {
  let text: string
  try { text = fs.readFileSync(file, 'utf8') } catch (e) {
    throw new DashboardConfigError(`SONDE_TOKEN_FILE ${file}: cannot read it (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`)
  }
  return checked(text.replace(/\r?\n$/, ''), `the token in SONDE_TOKEN_FILE ${file}`)
}

/** The token to use; `required`: generate one when none is given. */
export function chooseToken(given: string | undefined, env: NodeJS.ProcessEnv, required: boolean): TokenChoice {
  if (given !== undefined && given !== '') return { token: checked(given, '--token'), source: 'option' }
  const file = setting('SONDE_TOKEN_FILE', env), token = setting('SONDE_TOKEN', env)
  if (file) return { token: readTokenFile(file), source: 'SONDE_TOKEN_FILE' }
  if (token) return { token: checked(token, 'SONDE_TOKEN'), source: 'SONDE_TOKEN' }
  return required ? { token: generateToken(), source: 'generated' } : { source: 'none' }
}

/** The URL to print: a generated token appears here, once; a token the user gave is not repeated. */
export function urlToOpen(d: { url: string; token?: string; tokenSource: TokenSource }): string {
  if (d.tokenSource === 'generated') return `${d.url}#token=${d.token}`
  return d.token !== undefined ? `${d.url}#token=<your token>` : d.url
}
