// Entry of the profile worker thread (started by profile-jobs.ts): holds the profiles and runs
// each request ({id, op, args}) through profile-ops.ts, one at a time, answering {id, value}
// or {id, error: {status, message}} with a one-line message.
import { parentPort, workerData } from 'node:worker_threads'
import { createProfileOps, statusOfError, type OpName } from './profile-ops'

interface Job { id: number; op: OpName; args: never }

const ops = createProfileOps(`p${(workerData as { generation?: number } | null)?.generation ?? 0}-`)
const port = parentPort!

port.on('message', async (job: Job) => {
  try {
    const value = await (ops[job.op] as (a: never) => unknown)(job.args)
    port.postMessage({ id: job.id, value })
  } catch (err) {
    const message = String((err as Error)?.message ?? err).split('\n')[0].slice(0, 500)
    port.postMessage({ id: job.id, error: { status: statusOfError(err), message } })
  }
})
