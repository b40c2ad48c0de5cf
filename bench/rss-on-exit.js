// Preload (-r) for benchmarks: prints the process's peak RSS on exit to stderr.
'use strict'
process.on('exit', () => process.stderr.write(`\nmaxrss_kb=${process.resourceUsage().maxRSS}\n`))
