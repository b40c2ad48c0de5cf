// Which modules the function tracer instruments. PATTERN is a regex written `/…/flags` or
// a comma-separated list of globs (`**` crosses directories, `*` and `?` do not; a glob
// not starting with `/` or `**` is relative to the working directory). Default: the app's
// own files. node_modules is never traced unless the pattern names it, and sonde never
// traces itself.
import * as path from 'node:path'

export type ModuleFilter = (file: string) => boolean

// This file lives at <root>/tracer or <root>/dist/tracer.
const HERE_ROOT = path.resolve(__dirname, '..')
const SONDE_ROOT = path.basename(HERE_ROOT) === 'dist' ? path.dirname(HERE_ROOT) : HERE_ROOT
const SONDE_OWN = new Set(['dist', 'native', 'probes', 'runtime', 'collectors', 'bpftrace', 'tracer', 'inspect', 'viz', 'web', 'cli', 'examples', 'index.ts', 'register.ts'])

/** A file of sonde itself (never traced). */
export function isSonde(file: string): boolean {
  if (!file.startsWith(SONDE_ROOT + path.sep)) return false
  return SONDE_OWN.has(file.slice(SONDE_ROOT.length + 1).split(path.sep)[0])
}

function globToRegExp(glob: string): RegExp {
  let re = ''
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]
    if (c === '*') {
      if (glob[i + 1] === '*') {
        i++
        if (glob[i + 1] === '/') { i++; re += '(?:.*/)?' } else re += '.*'
      } else re += '[^/]*'
    } else if (c === '?') re += '[^/]'
    else re += c.replace(/[\\^$.+()|{}[\]]/g, '\\$&')
  }
  return new RegExp(`^${re}$`)
}

/** Compiles PATTERN; throws an Error naming the problem for an invalid regex. */
export function compileModuleFilter(pattern: string | undefined, cwd = process.cwd()): ModuleFilter {
  const p = (pattern ?? '').trim()
  const allowNodeModules = p.includes('node_modules')
  let test: (file: string) => boolean
  if (p === '' || p === '*' || p === '**') {
    test = () => true
  } else if (p.length > 1 && p.startsWith('/') && /^[dgimsuyv]*$/.test(p.slice(p.lastIndexOf('/') + 1)) && p.lastIndexOf('/') > 0) {
    const end = p.lastIndexOf('/')
    let re: RegExp
    try { re = new RegExp(p.slice(1, end), p.slice(end + 1)) } catch (e) {
      throw new Error(`invalid trace pattern ${p}: ${(e as Error).message}`, { cause: e })
    }
    test = (f) => { re.lastIndex = 0; return re.test(f) }
  } else {
    const res = p.split(',').map((g) => g.trim()).filter(Boolean).map((g) =>
      globToRegExp(g.startsWith('/') || g.startsWith('**') ? g : `${cwd.replace(/\/$/, '')}/${g}`))
    test = (f) => res.some((r) => r.test(f))
  }
  return (file: string) => {
    if (!path.isAbsolute(file)) return false
    if (isSonde(file)) return false
    if (!allowNodeModules && file.includes(`${path.sep}node_modules${path.sep}`)) return false
    return test(file)
  }
}
