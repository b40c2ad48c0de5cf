// -r preload for the express benches (BENCH_PRELOADS='loadOnly=<abs path to this file>'): loads
// sonde's modules (the library entry, the hooks' installer, the collectors' starter; the native
// addon with them) without installing a hook or starting a collector: what loading sonde costs
// with no per-request work (docs/benchmarks.md, stop 14).
'use strict'
const dist = require('node:path').resolve(__dirname, '../../dist')
require(`${dist}/index.js`)
require(`${dist}/runtime/hooks/install-hooks.js`)
require(`${dist}/collectors/env-start.js`)
