// One timer for sonde's periodic work in this thread: the probe gates' semaphore poll, the
// allocation sampler's poll and the collectors' interval ticks all ride one unref'd setInterval
// of BASE_MS, so an idle process wakes once a second for all of them instead of once per job and
// period (a JS timer wake-up costs ~25 k instructions: the loop pass, the timer list, the async
// context switch and a microtask checkpoint). A period that is a multiple of BASE_MS runs on every (period / BASE_MS)-th tick;
// any other period gets its own unref'd setInterval. A job that throws is caught (its owner
// guards and counts its own faults); the timer stops when the last job leaves.
export const BASE_MS = 1000

interface Job { every: number; fn: () => void }

const jobs = new Set<Job>()
let timer: NodeJS.Timeout | undefined
let ticks = 0

function tick(): void {
  ticks++
  for (const j of jobs) {
    if (ticks % j.every !== 0) continue
    try { j.fn() } catch { /* the job's owner counts its faults */ }
  }
}

/** Runs `fn` every `ms` (unref'd, never throws into the loop); returns the function that removes it. */
export function every(ms: number, fn: () => void): () => void {
  if (!(ms > 0) || ms % BASE_MS !== 0) {
    const t = setInterval(() => { try { fn() } catch { /* counted by the owner */ } }, ms)
    t.unref()
    return () => clearInterval(t)
  }
  const job: Job = { every: ms / BASE_MS, fn }
  jobs.add(job)
  if (!timer) { timer = setInterval(tick, BASE_MS); timer.unref() }
  return () => {
    if (!jobs.delete(job) || jobs.size > 0 || !timer) return
    clearInterval(timer)
    timer = undefined
  }
}
