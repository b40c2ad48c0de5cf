// Preload (`node -r`): at exit, writes "<peak RSS KB> <CPU µs>" (user + system) of the process
// to $SONDE_PEAK_RSS_FILE.
'use strict'
process.on('exit', () => {
  try {
    const u = process.resourceUsage()
    require('node:fs').writeFileSync(process.env.SONDE_PEAK_RSS_FILE, `${u.maxRSS} ${u.userCPUTime + u.systemCPUTime}`)
  } catch { /* nowhere to report it */ }
})
