// Demo worker: receives jobs by postMessage, hashes a buffer `rounds` times, posts the digest
// back. Run with `-r <register>` in execArgv so its message latency reaches the main thread's
// collectors through the worker bridge.
import { createHash } from 'node:crypto'
import { parentPort } from 'node:worker_threads'
import { collectors } from '../../collectors'

if (!collectors.running) { try { collectors.start() } catch { /* demo runs on without collectors */ } }

export function hashRounds(seed: string, rounds: number): string {
  let buf = Buffer.from(seed)
  for (let i = 0; i < rounds; i++) buf = createHash('sha256').update(buf).update(seed).digest()
  return buf.toString('hex')
}

parentPort?.on('message', (job: { id: number; seed: string; rounds: number }) => {
  parentPort!.postMessage({ id: job.id, digest: hashRounds(job.seed, job.rounds) })
})
