// bpftrace stack frames and the order of a tuple key's parts, for bpftrace.ts.
//   fib+151                                   (ustack, kstack: symbol+offset)
//   0x7f2e0d60624a                            (unresolved)
//   7f1795fc3ee3 fib+35 (/usr/bin/app)        (ustack(perf), kstack(perf): addr sym+off (module))
import type { FrameInfo } from '../model/profile'
import { stripOffset } from './import-options'

const PERF_FRAME = /^([0-9a-fA-F]+) (.*?)(?: \(([^()]*)\))?$/

/** One frame line; `keepOffset` (--lines) keeps `+151`, the call site in the function. */
export function bpftraceFrame(raw: string, keepOffset?: boolean): FrameInfo {
  const strip = keepOffset ? (x: string) => x : stripOffset
  const m = PERF_FRAME.exec(raw)
  if (m && m[2] !== '') {
    const info: FrameInfo = { name: strip(m[2]) }
    if (m[3] && m[3] !== '[unknown]') info.module = m[3].replace(/^.*\//, '')
    return info
  }
  return { name: strip(raw) }
}

// Kernel stacks: addresses in the upper half, or the entry points every kernel stack of a
// user task ends in (syscall, interrupt, exception entries).
const KERNEL_ROOT = /^(entry_SYSCALL|asm_|do_syscall_64|ret_from_fork|irqentry_|common_interrupt|secondary_startup|start_kernel|cpu_startup_entry|\[kernel)/

function isKernel(part: string[]): boolean {
  const last = part[part.length - 1]
  if (last === undefined) return false
  const m = /^(?:0x)?([0-9a-fA-F]{16})\b/.exec(last)
  if (m && parseInt(m[1][0], 16) >= 8) return true
  const name = (PERF_FRAME.exec(last)?.[2] ?? last)
  return KERNEL_ROOT.test(name) || / \(\[kernel\.kallsyms\]\)$/.test(last)
}

/** The parts of a key, root part first: one-line scalars (comm, pid), then stacks in the
 * printed order reversed with a kernel stack moved above the user stacks. */
export function orderParts(parts: string[][]): string[][] {
  if (parts.length === 1) return parts
  const scalars: string[][] = [], users: string[][] = [], kernels: string[][] = []
  parts.forEach((p, i) => {
    if (p.length === 0) return
    if (p.length === 1 && i < parts.length - 1 && parts.length > 1 && !isKernel(p) && parts.some((q) => q.length > 1)) scalars.push(p)
    else if (isKernel(p)) kernels.push(p)
    else users.push(p)
  })
  return [...scalars, ...users.reverse(), ...kernels.reverse()]
}
