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
// The dashboard server (express, the d3 page, /api/*, /metrics), loaded only when called: an app
// that imports sonde for its probes or collectors does not pay for express.
import type { DashboardOptions, Dashboard } from './web/server/index'
export type { DashboardOptions, Dashboard } from './web/server/index'
export { DashboardConfigError } from './web/server/listen-safety'
/** Serve the dashboard (default 127.0.0.1:7777; port 0 picks a free one, `url` and `port` give it). Rejects with DashboardConfigError on a bad option, or the listen error. */
export async function startDashboard(opts: DashboardOptions = {}): Promise<Dashboard> {
  return (require('./web/server/index') as typeof import('./web/server/index')).startDashboard(opts)
}
