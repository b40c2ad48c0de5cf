// Preload (`node -r`): writes the process's peak RSS in KB to $SONDE_PEAK_RSS_FILE at exit.
'use strict'
process.on('exit', () => { try { require('node:fs').writeFileSync(process.env.SONDE_PEAK_RSS_FILE, String(process.resourceUsage().maxRSS)) } catch { /* nowhere to report it */ } })
