// Preload (-r) for benchmarks: prints the process's peak RSS and CPU time (user + system,
// all threads) on exit to stderr; CPU time is the steadier figure on a shared machine.
'use strict'
process.on('exit', () => {
  const r = process.resourceUsage()
  process.stderr.write(`\nmaxrss_kb=${r.maxRSS} cpu_ms=${Math.round((r.userCPUTime + r.systemCPUTime) / 1000)}\n`)
})
