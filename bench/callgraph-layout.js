// Child of callgraph-vs-gprof2dot.js: lays out each DOT file given with Graphviz-WASM and
// prints "file ms" per line (WASM loaded and warmed up first, so only layout is timed).
'use strict'
const { readFileSync } = require('node:fs')
const { dotToSvg } = require('../dist/viz/writers/svg.js')

;(async () => {
  await dotToSvg('digraph { a -> b }')
  for (const f of process.argv.slice(2)) {
    const t0 = process.hrtime.bigint()
    await dotToSvg(readFileSync(f, 'utf8'))
    process.stdout.write(`${f} ${(Number(process.hrtime.bigint() - t0) / 1e6).toFixed(0)}\n`)
  }
})()
