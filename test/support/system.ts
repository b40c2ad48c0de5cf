// Gate for tests that need the real system (root + bpftrace, Chromium, readelf, a C compiler,
// Prometheus, Go's pprof).
// Missing requirement: skip with a printed reason, unless SONDE_REQUIRE_SYSTEM=1,
// where a missing requirement is a failure (CI installs everything).
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'

export type Need = 'root' | 'bpftrace' | 'chromium' | 'readelf' | 'tracefs' | 'cc-x64' | 'prometheus' | 'go'

function has(need: Need): string | null {
  switch (need) {
    case 'root': return process.getuid && process.getuid() === 0 ? null : 'not running as root'
    case 'tracefs': {
      try { return fs.readdirSync('/sys/kernel/tracing').length > 0 ? null : '/sys/kernel/tracing is empty (mount -t tracefs nodev /sys/kernel/tracing)' }
      catch { return '/sys/kernel/tracing missing' }
    }
    case 'bpftrace': return which('bpftrace') ? null : 'bpftrace not installed (apt-get install -y bpftrace)'
    case 'readelf': return which('readelf') ? null : 'readelf not installed (apt-get install -y binutils)'
    case 'chromium': return fs.existsSync('/usr/bin/chromium') ? null : '/usr/bin/chromium missing (apt-get install -y chromium)'
    case 'prometheus': return which('prometheus') && which('promtool') ? null : 'prometheus/promtool not installed (apt-get install -y prometheus)'
    case 'go': return which('go') ? null : 'go not installed (apt-get install -y golang-go: its `go tool pprof`)'
    case 'cc-x64': return process.arch !== 'x64' ? `needs x86-64, not ${process.arch}` : which('cc') ? null : 'no C compiler (apt-get install -y gcc)'
  }
}

export function which(cmd: string): string | null {
  try { return execFileSync('sh', ['-c', `command -v ${cmd}`], { encoding: 'utf8' }).trim() || null } catch { return null }
}

/**
 * The command prefix that runs a child at real-time priority (SCHED_FIFO 10) when the tests run
 * as root, empty otherwise. Tests that compare two wall clocks taken microseconds apart run the
 * measured program this way, so that other work on a loaded machine cannot preempt it between
 * the two stamps and the comparison is about the measurement, not the scheduler.
 */
export const realtimePrefix: readonly string[] = process.getuid?.() === 0 && which('chrt') ? ['chrt', '-f', '10'] : []

export const requireSystem = process.env.SONDE_REQUIRE_SYSTEM === '1'

/** Returns null when every need is met; otherwise the reason. Throws when SONDE_REQUIRE_SYSTEM=1. */
export function missing(...needs: Need[]): string | null {
  for (const n of needs) {
    const why = has(n)
    if (why) {
      if (requireSystem) throw new Error(`SONDE_REQUIRE_SYSTEM=1 but ${why}`)
      return why
    }
  }
  return null
}

/**
 * The dashboard token tests give apps (SONDE_TOKEN): as root with bpftrace installed, a
 * dashboard can start programs, so without one it generates its own and every route asks for it.
 */
export const TEST_TOKEN = 'sonde-test-token-0123456789abcdef'
export const testAuth = { authorization: `Bearer ${TEST_TOKEN}` }
