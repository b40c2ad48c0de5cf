#!/usr/bin/env node
// Bundles the dashboard client (web/client/main.ts + d3) with esbuild into dist/web/client,
// with its static files (index.html, app.css, favicon.svg). No CDN: the page works offline.
'use strict'
const fs = require('node:fs')
const path = require('node:path')
const esbuild = require('esbuild')

const root = path.resolve(__dirname, '..')
const src = path.join(root, 'web/client')
const out = path.join(root, 'dist/web/client')
fs.mkdirSync(out, { recursive: true })
esbuild.buildSync({
  entryPoints: [path.join(src, 'main.ts')],
  bundle: true, minify: true, sourcemap: true, format: 'iife', target: ['chrome110', 'firefox110', 'safari16'],
  outfile: path.join(out, 'app.js'), logLevel: 'warning', legalComments: 'none',
  tsconfig: path.join(src, 'tsconfig.json'),
})
for (const f of ['index.html', 'app.css', 'favicon.svg']) fs.copyFileSync(path.join(src, f), path.join(out, f))
