// This thread's identity (main thread or worker, threadId) without loading node:worker_threads in
// the main thread: that module brings Node's port module (internal/worker/io) and with it Node's
// streams, ~2.3-2.6 MB of peak RSS that a program using neither workers nor ports should not
// carry. A worker's bootstrap loads the port module and node:worker_threads before any preload
// runs (its ports to the parent), so a thread where the port module is not loaded is the main
// thread, and in a worker asking node:worker_threads costs nothing more.
// process.moduleLoadList (the builtins loaded so far, in load order) is not documented but is in
// every Node line; where it is missing, node:worker_threads is loaded and asked.
import type * as WorkerThreads from 'node:worker_threads'

const PORT_MODULE = 'NativeModule internal/worker/io'

/** Whether Node's port module is loaded in this thread: always in a worker; in the main thread once something used worker_threads or a port. */
export function portsLoaded(): boolean {
  const loaded = (process as unknown as { moduleLoadList?: unknown }).moduleLoadList
  return !Array.isArray(loaded) || loaded.includes(PORT_MODULE)
}

let workerThreadsModule: typeof WorkerThreads | undefined

/** node:worker_threads; loads it (and the port module) in a main thread that had not. */
export function workerThreads(): typeof WorkerThreads {
  return workerThreadsModule ??= require('node:worker_threads') as typeof WorkerThreads
}

let main: boolean | undefined

export function isMainThread(): boolean {
  return main ??= !portsLoaded() || workerThreads().isMainThread
}

/** worker_threads.threadId: 0 in the main thread. */
export function threadId(): number {
  return isMainThread() ? 0 : workerThreads().threadId
}
