// Node's module-hooks thread: an internal worker that module.register(), --loader or an
// --import registering hooks starts, where the hooks run. Node also runs the -r/--import
// preloads there, but no app code: sonde must install nothing in it (no addon, collectors,
// dashboard, tracer), or it would run a second copy of itself beside the app's.
// worker_threads.isInternalThread marks it (Node 22.14+, checked on 22, 24 and 26 with both
// --loader and module.register); without that flag it is the one worker with no parentPort.
// The main thread is told apart without loading node:worker_threads (runtime/thread.ts).
// Kept tiny: register.ts loads it in every thread.
import { isMainThread, workerThreads } from '../runtime/thread'

export function isModuleHooksThread(): boolean {
  if (isMainThread()) return false
  const wt = workerThreads()
  const internal = (wt as { isInternalThread?: unknown }).isInternalThread
  return typeof internal === 'boolean' ? internal : wt.parentPort === null
}
