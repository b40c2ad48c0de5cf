// What `sonde/register` calls: start this thread's collectors from SONDE_COLLECT. A value the
// collectors' grammar refuses is reported as one process warning naming the variable and the
// value (code SONDE_CONFIG, runtime/config.ts) and the default collectors run instead: a preload
// must not take the app down. Never throws. (SONDE_DASHBOARD is web/server/env-dashboard.ts's.)
import { setting, SETTINGS, warnBadSetting } from '../runtime/config'
import { startCollectors } from './index'

export function startCollectorsFromEnv(env: NodeJS.ProcessEnv = process.env): void {
  const spec = setting('SONDE_COLLECT', env)
  try {
    startCollectors(spec)
    return
  } catch (err) {
    warnBadSetting('SONDE_COLLECT', spec ?? '', String((err as Error)?.message ?? err).replace(/^sonde collectors: (SONDE_COLLECT:? ?)?/, ''), `the default (${SETTINGS.SONDE_COLLECT.shown})`)
  }
  try { startCollectors(undefined) } catch { /* the defaults always parse; nothing may reach the host */ }
}
