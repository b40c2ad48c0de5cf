// The app-thread side of the profile worker. Parsing an upload or laying out a call graph can
// take seconds and hundreds of MB; done on the app's own thread it stalls every request the app
// serves. So the profiles live in a worker thread (profile-worker.ts), started on first use,
// with limits: its V8 heap (resourceLimits; out of memory ends the worker, not the app), a time
// per job (a job running longer terminates the worker), and a bounded queue of waiting jobs.
// Jobs run one at a time, so a job's time is its own. A worker that ends takes its profiles with
// it; the next job starts a fresh one. The worker is unref'd and inherits none of the app's
// preloads or flags (execArgv: []); what it prints goes to debuglog('sonde').
import fs from 'node:fs'
import path from 'node:path'
import { debuglog } from 'node:util'
import { Worker } from 'node:worker_threads'
import type { OpName, ProfileOps } from './profile-ops'
import type { ProfileInfo } from './profile-store'

const debug = debuglog('sonde')

export interface ProfileJobLimits {
  /** Longest a single job may run before the worker is terminated (default 60 s). */
  jobTimeoutMs?: number
  /** The worker's old-generation heap (default 1024 MB). */
  maxHeapMb?: number
  /** Jobs waiting behind the running one before new ones are refused (default 16). */
  maxQueuedJobs?: number
}

export class JobError extends Error { constructor(message: string, readonly status: number) { super(message) } }

type Args<K extends OpName> = Parameters<ProfileOps[K]>[0]
type Value<K extends OpName> = Awaited<ReturnType<ProfileOps[K]>>
interface Pending { id: number; op: OpName; args: unknown; resolve(v: unknown): void; reject(e: Error): void }

/** The compiled worker entry: next to this file in dist/, or under dist/ when run from sources. */
function workerFile(): string {
  const near = path.join(__dirname, 'profile-worker.js')
  return fs.existsSync(near) ? near : path.resolve(__dirname, '../../dist/web/server/profile-worker.js')
}

export function createProfileJobs(limits: ProfileJobLimits = {}) {
  const timeoutMs = limits.jobTimeoutMs ?? 60_000
  const heapMb = limits.maxHeapMb ?? 1024
  const maxQueued = limits.maxQueuedJobs ?? 16
  const infos = new Map<string, ProfileInfo>()
  const queue: Pending[] = []
  let worker: Worker | undefined
  let current: { job: Pending; timer: NodeJS.Timeout } | undefined
  let seq = 0, started = 0, done = 0

  function ended(w: Worker, why: string): void {
    if (worker !== w) return
    worker = undefined
    infos.clear()
    debug('profile worker %s', why)
    if (current) {
      clearTimeout(current.timer)
      current.job.reject(new JobError(`the profile worker ${why}; the profiles it held are gone`, 503))
      current = undefined
    }
    pump()
  }

  function spawn(): Worker {
    // Unref'd last, after its listeners (adding a 'message' listener refs the worker's port
    // again), and without piped stdout/stderr (those keep the app alive even once the worker is
    // unref'd; the worker writes nothing of its own): the worker never keeps the app alive.
    const w = new Worker(workerFile(), { workerData: { generation: started + 1 }, execArgv: [], resourceLimits: { maxOldGenerationSizeMb: heapMb, maxYoungGenerationSizeMb: Math.min(64, heapMb) } })
    started++
    w.on('message', (m: { id: number; value?: unknown; error?: { status: number; message: string } }) => {
      if (!current || m.id !== current.job.id) return
      const { job, timer } = current
      clearTimeout(timer)
      current = undefined
      done++
      if (m.error) job.reject(new JobError(m.error.message, m.error.status))
      else job.resolve(m.value)
      pump()
    })
    w.on('error', (err) => {
      const oom = (err as NodeJS.ErrnoException).code === 'ERR_WORKER_OUT_OF_MEMORY'
      ended(w, oom ? `ran out of its ${heapMb} MB heap` : `failed (${String(err.message).split('\n')[0]})`)
    })
    w.on('exit', (code) => ended(w, `exited (${code})`))
    w.unref()
    return w
  }

  function pump(): void {
    if (current || !queue.length) return
    const job = queue.shift()!
    let w: Worker
    try { w = worker ??= spawn() } catch (e) { job.reject(new JobError(`cannot start the profile worker: ${(e as Error).message}`, 503)); pump(); return }
    const timer = setTimeout(() => {
      ended(w, `took longer than ${timeoutMs / 1000} s and was stopped`)
      void w.terminate()
    }, timeoutMs)
    timer.unref()
    current = { job, timer }
    try { w.postMessage({ id: job.id, op: job.op, args: job.args }) } catch (e) {
      clearTimeout(timer); current = undefined
      job.reject(new JobError(`profile worker: ${(e as Error).message}`, 500)); pump()
    }
  }

  function run<K extends OpName>(op: K, args: Args<K>): Promise<Value<K>> {
    if (queue.length >= maxQueued) return Promise.reject(new JobError(`the profile worker is busy (${queue.length} requests waiting): try again`, 503))
    return new Promise<Value<K>>((resolve, reject) => {
      queue.push({ id: ++seq, op, args, resolve: resolve as (v: unknown) => void, reject })
      pump()
    })
  }

  return {
    run,
    /** Imports profile text in the worker; the info list mirrors what the worker holds. */
    async add(name: string, bytes: Uint8Array, source: 'upload' | 'record'): Promise<ProfileInfo> {
      const { info, ids } = await run('import', { name, bytes, source })
      infos.set(info.id, info)
      for (const id of [...infos.keys()]) if (!ids.includes(id)) infos.delete(id)
      return info
    },
    list(): ProfileInfo[] { return [...infos.values()] },
    stats() { return { jobsDone: done, running: current !== undefined, queued: queue.length, workersStarted: started, alive: worker !== undefined } },
    close(): void {
      for (const j of queue.splice(0)) j.reject(new JobError('the dashboard is closing', 503))
      if (worker) { const w = worker; ended(w, 'was closed'); void w.terminate() }
    },
  }
}

export type ProfileJobs = ReturnType<typeof createProfileJobs>
