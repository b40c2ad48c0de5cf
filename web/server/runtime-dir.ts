// The per-user runtime directory that holds the process registry: $SONDE_RUNTIME_DIR, else
// $XDG_RUNTIME_DIR/sonde, else $TMPDIR/sonde-<uid>. The last one sits in a world-writable
// directory, where another user can create it first or plant symlinks in it, so the directory
// is used only when it is a real directory (not a symlink), owned by this uid, with no group or
// other bits; anything else is refused with one warning (code SONDE_RUNTIME_DIR). Files are
// written under a fresh temporary name (O_CREAT|O_EXCL|O_NOFOLLOW) and renamed into place:
// rename replaces a planted symlink instead of writing through it.
import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { setting } from '../../runtime/config'

export const myUid: number | undefined = typeof process.getuid === 'function' ? process.getuid() : undefined

export function runtimeDir(env: NodeJS.ProcessEnv = process.env): string {
  const dir = setting('SONDE_RUNTIME_DIR', env)
  if (dir) return dir
  if (env.XDG_RUNTIME_DIR) return path.join(env.XDG_RUNTIME_DIR, 'sonde')
  return path.join(os.tmpdir(), `sonde-${myUid ?? os.userInfo().username}`)
}

const warned = new Set<string>()

function warnOnce(dir: string, reason: string): void {
  if (warned.has(dir)) return
  warned.add(dir)
  try {
    process.emitWarning(`sonde: refusing the runtime directory ${dir}: ${reason}; the process registry is not used`, { code: 'SONDE_RUNTIME_DIR' })
  } catch { /* a throwing warning listener must not reach the host */ }
}

/** Why `dir` must not be used (null: safe). lstat, so a symlink to a good directory is refused too. */
export function unsafeDirReason(dir: string): string | null {
  let st: fs.Stats
  try { st = fs.lstatSync(dir) } catch (e) { return `cannot stat it (${(e as NodeJS.ErrnoException).code})` }
  if (!st.isDirectory()) return st.isSymbolicLink() ? 'it is a symlink' : 'it is not a directory'
  if (myUid !== undefined && st.uid !== myUid) return `it is owned by uid ${st.uid}, not ${myUid}`
  if (st.mode & 0o077) return `its mode is 0${(st.mode & 0o777).toString(8)}, not 0700`
  return null
}

/** The runtime directory, created 0700 when missing; undefined (after one warning) when unsafe. */
export function openRuntimeDir(create: boolean, env: NodeJS.ProcessEnv = process.env): string | undefined {
  const dir = runtimeDir(env)
  if (create) {
    try {
      fs.mkdirSync(path.dirname(dir), { recursive: true, mode: 0o700 })
      fs.mkdirSync(dir, { mode: 0o700 })
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') { warnOnce(dir, `cannot create it (${(e as NodeJS.ErrnoException).code})`); return undefined }
    }
  } else if (!fs.existsSync(dir)) return undefined
  const why = unsafeDirReason(dir)
  if (why) { warnOnce(dir, why); return undefined }
  return dir
}

/** Writes `text` to dir/name (mode 0600) through a new temporary file and a rename. */
export function writeFileAtomic(dir: string, name: string, text: string): void {
  const tmp = path.join(dir, `.${name}.${randomBytes(8).toString('hex')}.tmp`)
  const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW } = fs.constants
  const fd = fs.openSync(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600)
  try {
    fs.writeSync(fd, text)
    fs.fsyncSync(fd)
  } finally { fs.closeSync(fd) }
  try { fs.renameSync(tmp, path.join(dir, name)) } catch (e) { try { fs.unlinkSync(tmp) } catch { /* gone */ } throw e }
}

/** The text of dir/name if it is a regular file owned by this uid of at most maxBytes (never follows a symlink). */
export function readOwnFile(dir: string, name: string, maxBytes: number): string | undefined {
  let fd: number
  try { fd = fs.openSync(path.join(dir, name), fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK) } catch { return undefined }
  try {
    const st = fs.fstatSync(fd)
    if (!st.isFile() || (myUid !== undefined && st.uid !== myUid) || st.size > maxBytes) return undefined
    const buf = Buffer.alloc(st.size)
    const n = fs.readSync(fd, buf, 0, st.size, 0)
    return buf.subarray(0, n).toString('utf8')
  } catch { return undefined } finally { fs.closeSync(fd) }
}
