// Public library entry: `import { ... } from 'sonde'`. Each area adds its typed exports here.
export { staticProbes, probeKey } from './probes/catalogue'
export type { ProbeSpec, ProbeArg, ArgType } from './probes/catalogue'
