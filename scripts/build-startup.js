#!/usr/bin/env node
// Bundles what `node -r sonde/register` loads at start-up into one file, dist/startup.js, and
// turns each bundled module's dist/<module>.js into a one-line shim that returns the bundle's
// instance of it. Why: Node's CommonJS loader pays per file (path resolution, stat, realpath,
// package.json lookup, a compile): for register's ~45 modules that was ~10 ms of CPU, ~1 MB of
// young garbage (a scavenge before the app's first line) and enough path normalisation to send
// node:path's normalizeString to TurboFan (~5.6 MB of RSS: the optimising compiler's code and
// memory) before an empty program had run a line.
// Module identity is kept: every importer (sonde/register, `require('sonde')`, the dashboard, the
// tracer) reaches a bundled module through its shim, so there is one instance of each. Each
// module initialises when first required, as before (the bundle's table requires lazily), so
// register's order (the addon first) is unchanged. A lazy require() of a module outside the
// bundle (the dashboard, the tracer's instrumenter, prom-client's registry) stays a require() of
// its dist file, which then reaches bundled modules through their shims.
// Not minified: over 128 kB the source string lands in V8's large-object space, outside the
// semi-space whose filling schedules a scavenge (minified to 115 kB it added ~220 kB to new space).
// Run after tsc (npm run compile does); needs esbuild (a dev dependency, like the client bundle).
'use strict'
const fs = require('node:fs')
const path = require('node:path')
const esbuild = require('esbuild')

const root = path.resolve(__dirname, '..')
const dist = path.join(root, 'dist')
/**
 * What register.ts runs at start-up in every thread: the bundle is their static-import closure.
 * The message hook and the collectors' worker bridge run at start-up in a worker, in the main
 * thread once the app can hold a port (runtime/ports-ready.ts).
 */
const ROOTS = ['register', 'tracer/hooks-thread', 'probes/addon', 'probes/static-probes', 'runtime/config',
  'runtime/gc-ring', 'runtime/hooks/install-hooks', 'runtime/hooks/message-hook', 'collectors/env-start',
  'collectors/worker-bridge', 'collectors/otel-bridge']

const rel = (file) => path.relative(root, file).replace(/\\/g, '/').replace(/\.[jt]s$/, '').replace(/^dist\//, '')
const SHIM_MARK = '// Bundled into dist/startup.js'

/** `const table = { name: () => require('<from>/name') }` and a load(name) over it. */
function entry(names, from) {
  const rows = names.map((n) => `  ${JSON.stringify(n)}: () => require(${JSON.stringify(from + n)}),`).join('\n')
  return `const table = {\n${rows}\n}\nexports.load = (name) => table[name]()\n`
}

/**
 * A require() of a relative path inside a module is followed only to a module in `inside` (the
 * rest: external, as its dist file relative to dist/startup.js); `inside` undefined: none is
 * followed (TypeScript sources: the closure of their static imports). The entry's are followed.
 */
function lazyRequires(inside) {
  return {
    name: 'sonde-lazy-requires',
    setup(build) {
      build.onResolve({ filter: /^\./, namespace: 'file' }, async (args) => {
        if (args.kind !== 'require-call' || args.importer === '<stdin>' || args.importer.endsWith('startup-entry.js')) return undefined
        const r = await build.resolve(args.path, { resolveDir: args.resolveDir, kind: 'import-statement' })
        if (r.errors.length) return { errors: r.errors }
        const name = rel(r.path)
        if (inside && inside.has(name)) return undefined
        return { path: './' + name + '.js', external: true }
      })
    },
  }
}

const common = { bundle: true, platform: 'node', format: 'cjs', target: 'node22', packages: 'external', logLevel: 'warning', legalComments: 'none' }

async function main() {
  if (fs.readFileSync(path.join(dist, 'register.js'), 'utf8').includes(SHIM_MARK)) {
    throw new Error('dist/register.js is already a shim: run tsc first (npm run compile)')
  }
  // The closure: the roots' static imports, read from the TypeScript sources (in tsc's output a
  // static import and a lazy require() look alike).
  const pass1 = await esbuild.build({ ...common, stdin: { contents: entry(ROOTS, './'), resolveDir: root, sourcefile: 'startup-entry.js', loader: 'js' },
    write: false, metafile: true, outfile: path.join(dist, 'startup.js'), tsconfig: path.join(root, 'tsconfig.json'), plugins: [lazyRequires(undefined)] })
  const closure = Object.keys(pass1.metafile.inputs).filter((f) => f.endsWith('.ts')).map((f) => rel(path.resolve(root, f))).sort()
  // The bundle: tsc's CommonJS output of those modules (what runs unbundled, with its plain
  // exports objects: no ES-module namespace getters), each wrapped to run at its first require.
  await esbuild.build({ ...common, stdin: { contents: entry(closure, './dist/'), resolveDir: root, sourcefile: 'startup-entry.js', loader: 'js' },
    outfile: path.join(dist, 'startup.js'), sourcemap: true, minifySyntax: true, plugins: [lazyRequires(new Set(closure))] })
  for (const name of closure) shim(name)
}

function shim(name) {
  const file = path.join(dist, name + '.js')
  const up = path.relative(path.dirname(file), path.join(dist, 'startup.js')).replace(/\\/g, '/')
  fs.writeFileSync(file, `"use strict";\n${SHIM_MARK} (scripts/build-startup.js): this is the bundle's instance.\nmodule.exports = require(${JSON.stringify(up.startsWith('.') ? up : './' + up)}).load(${JSON.stringify(name)});\n`)
  fs.rmSync(file + '.map', { force: true })
}

main().catch((err) => { process.stderr.write(`build-startup: ${err?.message ?? err}\n`); process.exit(1) })
