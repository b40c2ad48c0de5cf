// Loads a provider image built by elf-writer.ts into this process through the native loader
// (native/dyn-loader.cc): memfd_create + dlopen("/proc/self/fd/N"), keeping the fd open
// so tracers can attach by that path; when memfd is refused (or SONDE_DYN_MODE=file), a
// content-addressed file in the cache directory written with an atomic rename and loaded only
// after its content was checked against the hash. When both fail
// the reason is kept for `sonde probes` (dynamicStatus()).
import crypto from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { debuglog } from 'node:util'
import type { ProviderImage } from './elf-writer'
import { locateNative, packageRoot } from '../native-path'
import { setting } from '../../runtime/config'

const debug = debuglog('sonde')

export interface NativeDyn {
  memfd(name: string, bytes: Uint8Array): number | string
  closeFd(fd: number): void
  load(p: string, symbols: string[], semSymbol: string, semCount: number, provider: string, names: string[], caps: number[][]):
    { module: number; semaphores: Uint16Array; ids: number[] } | string
  unload(module: number, buffer: ArrayBufferLike): void
  fire(id: number, ...args: unknown[]): void
}

export type LoadMode = 'memfd' | 'file'

export interface LoadedModule {
  module: number
  semaphores: Uint16Array
  ids: number[]
  mode: LoadMode
  /** Path tracers attach by: /proc/PID/fd/N (memfd) or the cache file. */
  path: string
  fd: number
}

export const status = { native: null as string | null, lastError: null as string | null, loads: 0, mode: null as LoadMode | null }


let native: NativeDyn | null | undefined
export function nativeDyn(): NativeDyn | null {
  if (native !== undefined) return native
  const file = setting('SONDE_DYN_ADDON') || locateNative('sonde_dyn', packageRoot).file
  if (!file) {
    native = null
    status.lastError = `native loader not built: ${path.join(packageRoot, 'build', 'Release', 'sonde_dyn.node')} missing (node scripts/build-native.js builds it)`
    return native
  }
  try {
    native = require(file) as NativeDyn
    status.native = file
  } catch (e) {
    native = null
    status.lastError = `native loader ${file} could not load: ${(e as Error).message.split('\n')[0]}`
  }
  return native
}

export function cacheDir(): string {
  const dir = setting('SONDE_CACHE_DIR')
  if (dir) return dir
  const base = process.env.XDG_CACHE_HOME || (os.homedir() ? path.join(os.homedir(), '.cache') : os.tmpdir())
  return path.join(base, 'sonde', 'providers')
}

// fs.mkdirSync(dir, { recursive: true }) never returns for a path under /proc on Node 20
// (measured: it loops), so create the chain one level at a time, bounded.
function makeDirs(dir: string): void {
  const missing: string[] = []
  for (let d = path.resolve(dir); missing.length < 32; d = path.dirname(d)) {
    try { if (fs.statSync(d).isDirectory()) break; throw new Error(`${d} is not a directory`) } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e
    }
    missing.push(d)
    if (path.dirname(d) === d) break
  }
  for (const d of missing.reverse()) {
    try { fs.mkdirSync(d, { mode: 0o700 }) } catch (e) { if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e }
  }
}

const sha256 = (b: Uint8Array) => crypto.createHash('sha256').update(b).digest('hex')

/** An open fd on `file` if its content hashes to `digest` (no symlink followed), else null. */
function openVerified(file: string, digest: string): number | null {
  let fd: number
  try { fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW) } catch { return null }
  try { if (fs.fstatSync(fd).isFile() && sha256(fs.readFileSync(fd)) === digest) return fd } catch { /* unreadable: rewrite */ }
  fs.closeSync(fd)
  return null
}

// The cache file is named by the image's hash, but a file of that name is trusted only when
// its content has that hash: it is opened once, hashed through that fd, and dlopen()ed as
// /proc/self/fd/N, the very inode checked (a rename between check and load changes nothing).
// A file that does not match is replaced (atomic rename) and checked again.
function openCacheFile(bytes: Uint8Array): { file: string; fd: number } {
  const dir = cacheDir()
  makeDirs(dir)
  const digest = sha256(bytes)
  const file = path.join(dir, digest.slice(0, 32) + '.so')
  let fd = openVerified(file, digest)
  if (fd !== null) return { file, fd }
  if (fs.existsSync(file)) debug('cache file %s does not match its hash: replaced', file)
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`
  fs.writeFileSync(tmp, bytes, { mode: 0o500, flag: 'wx' })
  fs.renameSync(tmp, file)
  fd = openVerified(file, digest)
  if (fd === null) throw new Error(`${file} changed after it was written`)
  return { file, fd }
}

function capsOf(types: readonly string[]): number[] {
  return types.map((t) => (t === 'string' ? 256 : t === 'json' ? 1024 : 0))
}

/** Loads `image`; returns the module or a one-line reason. */
export function loadImage(provider: string, image: ProviderImage, types: readonly (readonly string[])[], mode: LoadMode | 'auto'): LoadedModule | string {
  const dyn = nativeDyn()
  if (!dyn) return status.lastError || 'native loader unavailable'
  const symbols = image.probes.map((p) => p.symbol)
  const names = image.probes.map((p) => p.name)
  const caps = types.map(capsOf)
  const tryLoad = (p: string) => dyn.load(p, symbols, image.semaphoresSymbol, image.probes.length, provider, names, caps)
  const reasons: string[] = []
  if (mode !== 'file' && setting('SONDE_DYN_MODE') !== 'file') {
    const fd = dyn.memfd(`sonde:${provider}`, image.bytes)
    if (typeof fd === 'number') {
      const p = `/proc/self/fd/${fd}`
      const r = tryLoad(p)
      if (typeof r !== 'string') { status.loads++; status.mode = 'memfd'; return { ...r, mode: 'memfd', path: `/proc/${process.pid}/fd/${fd}`, fd } }
      dyn.closeFd(fd)
      reasons.push(r)
    } else reasons.push(fd)
    debug('dynamic provider %s: memfd failed (%s), trying the cache file', provider, reasons.join('; '))
  }
  try {
    const { file, fd } = openCacheFile(image.bytes)
    let r: ReturnType<typeof tryLoad>
    try { r = tryLoad(`/proc/self/fd/${fd}`) } finally { fs.closeSync(fd) }
    if (typeof r !== 'string') { status.loads++; status.mode = 'file'; return { ...r, mode: 'file', path: file, fd: -1 } }
    reasons.push(r.replace(`/proc/self/fd/${fd}`, file))
  } catch (e) {
    reasons.push(`cache file in ${cacheDir()}: ${(e as Error).message}`)
  }
  status.lastError = `provider ${provider}: ${reasons.join('; ')}`
  return status.lastError
}

export function unloadModule(m: LoadedModule): void {
  const dyn = nativeDyn()
  if (!dyn) return
  dyn.unload(m.module, m.semaphores.buffer)
  if (m.fd >= 0) dyn.closeFd(m.fd)
}
