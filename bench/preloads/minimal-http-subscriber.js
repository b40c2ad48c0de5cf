// -r preload for the express benches (BENCH_PRELOADS='minimal=<abs path to this file>'): the
// least an HTTP latency subscriber can do, as a floor for sonde's hook: an id as a symbol
// property on the request, one clock read at start and one at finish, three typed-array stores.
'use strict'
const dc = require('node:diagnostics_channel')
const kId = Symbol('id')
const startNs = new Float64Array(8192), latencyNs = new Float64Array(4096)
let seq = 0, n = 0
dc.subscribe('http.server.request.start', (m) => { const id = ++seq; m.request[kId] = id; startNs[id & 8191] = Number(process.hrtime.bigint()) })
dc.subscribe('http.server.response.finish', (m) => {
  const id = m.request[kId]
  if (id !== undefined) latencyNs[n++ & 4095] = Number(process.hrtime.bigint()) - startNs[id & 8191]
})
