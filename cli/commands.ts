// The command table: name → module under cli/commands/ exporting `run(argv): Promise<number>`,
// `summary`, `help` (usage and every flag) and `options` (its parseArgs flag table, which the
// help test checks against `help`). Modules load lazily so `sonde probes` never pays for the
// renderer.
import type { FlagTable } from './flags'

export interface CommandModule {
  summary: string
  help: string
  options: FlagTable
  run(argv: string[]): Promise<number>
}

export const commands: Record<string, () => CommandModule> = {
  probes: () => require('./commands/probes'),
  callgraph: () => require('./commands/callgraph'),
  flame: () => require('./commands/flame'),
  demo: () => require('./commands/demo'),
  dashboard: () => require('./commands/dashboard'),
  run: () => require('./commands/run'),
  oneliners: () => require('./commands/oneliners'),
  trace: () => require('./commands/trace'),
  attach: () => require('./commands/attach'),
}
