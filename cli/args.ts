// Flag helpers the commands share: a bounded integer flag, and waiting for Ctrl-C, SIGTERM or a
// duration.
import { usageError } from './flags'

export function intArg(cmd: string, v: string | undefined, name: string, min: number, max: number): number | undefined {
  if (v === undefined) return undefined
  const n = Number(v)
  if (v.trim() === '' || !Number.isFinite(n) || n < min || n > max) throw usageError(cmd, `--${name} must be a number in ${min}..${max}, got '${v}'`)
  return n
}

export function untilSignalOr(ms: number | undefined): Promise<string> {
  return new Promise((resolve) => {
    const done = (why: string) => { process.off('SIGINT', onInt); process.off('SIGTERM', onTerm); if (t) clearTimeout(t); resolve(why) }
    const onInt = () => done('SIGINT'), onTerm = () => done('SIGTERM')
    process.on('SIGINT', onInt); process.on('SIGTERM', onTerm)
    const t = ms !== undefined ? setTimeout(() => done('duration'), ms) : undefined
  })
}
