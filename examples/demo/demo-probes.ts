// The demo's own USDT provider, `demo`, defined with sonde's createProvider the way an app
// would: a probe at the start and end of every HTTP request and of every worker-pool job, so the
// user-provider one-liner has something to show on `npm start`:
//   sonde oneliners user-provider --pid PID --provider demo
//   bpftrace -p PID -e 'usdt::demo:request__done { @ms[str(arg1)] = hist(arg3 / 1000000); }'
// The counters are the demo's own count of what it served, next to what the probes fired.
import { createProvider } from '../../index'

export interface DemoProbes {
  requestStart(method: string, path: string): void
  requestDone(method: string, route: string, status: number, durationNs: number): void
  jobStart(id: number, rounds: number): void
  jobDone(id: number, durationNs: number, ok: boolean): void
  /** Requests answered and jobs finished since the start (the demo's own count). */
  readonly counts: { requests: number; jobs: number }
  dispose(): void
}

export function createDemoProbes(): DemoProbes {
  const p = createProvider('demo')
  const reqStart = p.probe('request__start', ['string', 'string'])
  const reqDone = p.probe('request__done', ['string', 'string', 'i32', 'u64'])
  const jStart = p.probe('job__start', ['u64', 'i32'])
  const jDone = p.probe('job__done', ['u64', 'u64', 'bool'])
  p.enable()
  const counts = { requests: 0, jobs: 0 }
  return {
    counts,
    // `enabled` first: no argument work while nobody traces
    requestStart: (method, path) => { if (reqStart.enabled) reqStart.fire(method, path) },
    requestDone: (method, route, status, durationNs) => { counts.requests++; if (reqDone.enabled) reqDone.fire(method, route, status, durationNs) },
    jobStart: (id, rounds) => { if (jStart.enabled) jStart.fire(id, rounds) },
    jobDone: (id, durationNs, ok) => { counts.jobs++; if (jDone.enabled) jDone.fire(id, durationNs, ok) },
    dispose: () => p.dispose(),
  }
}
