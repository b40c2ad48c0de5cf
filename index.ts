// Public library entry: `import { ... } from 'sonde'`: the typed exports of each area.
export { staticProbes, probeKey } from './probes/catalogue'
export type { ProbeSpec, ProbeArg, ArgType } from './probes/catalogue'
// Call graphs: derive / shape / render a Profile.
export { deriveCallGraph } from './viz/graph/derive'
export { buildCallGraph, shapeCallGraph } from './viz/graph/shape'
export { renderCallGraph } from './viz/render'
export type { RenderOptions, CallGraphOutput } from './viz/render'
export type { CallGraph, CallGraphNode, CallGraphEdge } from './viz/model/call-graph'
export { toDot } from './viz/writers/dot-writer'
export { toJson, toJsonGraph } from './viz/writers/json-writer'
export { toTextTable } from './viz/writers/text-table'
export { toFlameSvg } from './viz/writers/flame-svg'
export { dotToSvg } from './viz/writers/svg'
export { svgToPng } from './viz/writers/png'
// In-process collectors: collectors.start/snapshot/metrics/handlers, startCollectors(config).
export { collectors, startCollectors, stopCollectors, CollectorConfigError } from './collectors/index'
export type { CollectorsConfig, CollectorName, CollectorsSnapshot } from './collectors/index'
// Dynamic (user-defined) USDT providers.
export { createProvider, DynamicProvider, DynamicProbe } from './probes/dynamic/provider'
export type { DynArgType, ProviderOptions } from './probes/dynamic/provider'
