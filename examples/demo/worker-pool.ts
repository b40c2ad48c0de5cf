// A fixed pool of hash workers fed by postMessage, round-robin, with a bounded pending map
// (jobs beyond maxPending are refused, so an overloaded demo degrades instead of growing).
import fs from 'node:fs'
import path from 'node:path'
import { Worker } from 'node:worker_threads'

interface Pending { resolve: (digest: string) => void; reject: (err: Error) => void }

function workerEntry(): { file: string; execArgv: string[] } {
  const js = path.join(__dirname, 'hash-worker.js')
  const register = path.resolve(__dirname, '../../register.js')
  if (fs.existsSync(js)) return { file: js, execArgv: fs.existsSync(register) ? ['-r', register] : [] }
  return { file: path.join(__dirname, 'hash-worker.ts'), execArgv: ['--import', 'tsx'] }
}

export function createWorkerPool(size = 2, maxPending = 256) {
  const { file, execArgv } = workerEntry()
  const pending = new Map<number, Pending>()
  let next = 0, seq = 0
  const workers = Array.from({ length: size }, () => {
    const w = new Worker(file, { execArgv })
    w.on('message', (m: { id: number; digest: string }) => {
      const p = pending.get(m.id)
      if (p) { pending.delete(m.id); p.resolve(m.digest) }
    })
    w.on('error', (err) => { for (const p of pending.values()) p.reject(err); pending.clear() })
    w.unref()
    return w
  })
  return {
    run(seed: string, rounds: number): Promise<string> {
      if (pending.size >= maxPending) return Promise.reject(new Error('worker pool busy'))
      const id = ++seq
      return new Promise<string>((resolve, reject) => {
        pending.set(id, { resolve, reject })
        workers[next++ % workers.length].postMessage({ id, seed, rounds })
      })
    },
    async close(): Promise<void> { await Promise.all(workers.map((w) => w.terminate())) },
  }
}

export type WorkerPool = ReturnType<typeof createWorkerPool>
