// Checks on a target PID given to `sonde trace`, `sonde oneliners --pid` and `sonde attach`:
// it exists, it is a Node.js process, and whether sonde's probes are loaded in it. Every
// failure is one line (the CLI turns it into exit 2).
import fs from 'node:fs'
import path from 'node:path'

export class TargetError extends Error { override readonly name = 'TargetError' }

export interface TargetInfo { pid: number; exe: string; sondeLoaded: boolean }

export function parsePid(text: string | undefined, flag = '--pid'): number {
  const pid = Number(text)
  if (text === undefined || !/^\d+$/.test(text) || !Number.isSafeInteger(pid) || pid <= 0) throw new TargetError(`${flag}: not a process id: "${text ?? ''}"`)
  return pid
}

function read(file: string): string | null {
  try { return fs.readFileSync(file, 'utf8') } catch { return null }
}

/** A live Node.js process, or TargetError saying why not. */
export function inspectTarget(pid: number): TargetInfo {
  const status = read(`/proc/${pid}/status`)
  if (status === null) throw new TargetError(`process ${pid} does not exist (dead PID?)`)
  if (/^State:\s+Z/m.test(status)) throw new TargetError(`process ${pid} has exited (zombie)`)
  let exe: string
  try { exe = fs.readlinkSync(`/proc/${pid}/exe`) } catch { exe = '' }
  const maps = read(`/proc/${pid}/maps`) ?? ''
  const comm = (read(`/proc/${pid}/comm`) ?? '').trim()
  const isNode = /^node(js)?(\d+)?$/.test(path.basename(exe.replace(/ \(deleted\)$/, ''))) || exe === process.execPath
    || /\blibnode\.so/.test(maps) || comm === 'node' || comm === 'MainThread' || comm === 'node-MainThread'
  if (!isNode) throw new TargetError(`process ${pid} is not a Node.js process (${exe || comm || 'unknown executable'})`)
  return { pid, exe, sondeLoaded: /\/sonde(\.abi\d+)?\.node$/m.test(maps) }
}
