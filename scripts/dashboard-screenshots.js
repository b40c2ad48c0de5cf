#!/usr/bin/env node
// Screenshots of every dashboard view at 1440×900, for a person to look at: starts a real
// `sonde demo` (built bin, needs `npm run compile`), opens Debian's Chromium (/usr/bin/chromium,
// or CHROMIUM=path) headless, records a CPU profile from the page and writes
// test/artifacts/view-*.png: live overview, heatmaps, GC, messages, allocation, request cost,
// bpftrace panel (idle, and running a one-liner when root with bpftrace), call graph (first view, selected, focused), flame graph (plain, searched),
// the function-trace table (as text) and the processes tab.
//   node scripts/dashboard-screenshots.js [--seconds 3]
'use strict'
const { spawn, spawnSync } = require('node:child_process')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { chromium } = require('playwright-core')

const root = path.resolve(__dirname, '..')
const out = path.join(root, 'test/artifacts')
const seconds = Number(process.argv[process.argv.indexOf('--seconds') + 1]) || 3
const TOKEN = 'screenshot-token-0123456789abcdef'

function startDemo() {
  const proc = spawn(process.execPath, [path.join(root, 'bin/sonde.js'), 'demo', '--port', '0', '--duration', '300'],
    { cwd: root, env: { ...process.env, SONDE_TOKEN: TOKEN }, stdio: ['ignore', 'pipe', 'pipe'] })
  let text = ''
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { proc.kill('SIGKILL'); reject(new Error(`demo printed no URL in 30 s:\n${text}`)) }, 30_000)
    const on = (d) => {
      text += d
      const dash = /dashboard on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(text), app = /demo app on (http:\/\/127\.0\.0\.1:\d+\/)/.exec(text)
      if (dash && app) { clearTimeout(timer); resolve({ proc, url: dash[1], app: app[1] }) }
    }
    proc.stdout.on('data', on); proc.stderr.on('data', on)
    proc.on('exit', (c) => { clearTimeout(timer); reject(new Error(`demo exited ${c}:\n${text}`)) })
  })
}

async function main() {
  fs.mkdirSync(out, { recursive: true })
  const demo = await startDemo()
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sonde-shots-'))
  const ctx = await chromium.launchPersistentContext(dir, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true, viewport: { width: 1440, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  })
  const shots = []
  try {
    const page = await ctx.newPage()
    const shot = async (name, locator) => {
      const file = path.join(out, `view-${name}.png`)
      if (locator) await page.locator(locator).screenshot({ path: file })
      else await page.screenshot({ path: file })
      shots.push(file)
    }
    await page.goto(`${demo.url}#token=${TOKEN}`)
    await page.waitForSelector('#heat-http rect[data-count]', { timeout: 20_000, state: 'attached' })
    await page.waitForTimeout(8000) // a few ticks of the demo's load in every panel
    await shot('live-overview')
    for (const [name, card] of [['heatmaps', '#card-http'], ['messages-heatmap', '#card-msg-heat'], ['gc', '#card-gc'], ['messages', '#card-messages'],
      ['event-loop', '#card-loop'], ['request-cost', '#card-cost'], ['allocation', '#card-alloc'], ['heap', '#card-heap'], ['bpftrace', '#card-bpftrace']]) {
      await page.locator(card).scrollIntoViewIfNeeded()
      await shot(name, card)
    }
    // A one-liner running in the bpftrace panel (root with bpftrace only; else the panel says why).
    if (await page.isEnabled('#bt-start')) {
      await page.fill('#bt-seconds', '4')
      await page.click('#bt-start')
      await page.waitForSelector('#bt-hists svg, #bt-maps tbody td', { timeout: 15_000, state: 'attached' }).catch(() => {})
      await page.waitForTimeout(1500)
      await page.locator('#card-bpftrace').scrollIntoViewIfNeeded()
      await shot('bpftrace-running', '#card-bpftrace')
    }
    await page.click('nav button[data-tab=profiles]')
    await page.fill('#rec-seconds', String(seconds))
    let busy = true
    const load = Promise.all([0, 1].map(async () => { while (busy) await (await fetch(`${demo.app}api/users/7`)).arrayBuffer().catch(() => {}) }))
    await page.click('#rec')
    await page.waitForSelector('#graph-view svg g.node', { timeout: 60_000 }).finally(() => { busy = false })
    await load
    await page.waitForTimeout(800)
    await shot('callgraph')
    // A node inside the box (the first view is zoomed to legible labels, not all of it shows).
    const at = await page.evaluate(() => {
      const box = document.getElementById('graph-view').getBoundingClientRect()
      const inside = [...document.querySelectorAll('#graph-view g.node:not(.legend)')].map((g) => g.getBoundingClientRect())
        .filter((r) => r.top > box.top + 150 && r.bottom < box.bottom && r.left > box.left && r.right < box.right)
      const r = inside[Math.floor(inside.length / 2)]
      return r && { x: r.left + r.width / 2, y: r.top + r.height / 2 }
    })
    if (!at) throw new Error('no call-graph node inside the view')
    await page.mouse.click(at.x, at.y)
    await page.waitForTimeout(500)
    await shot('callgraph-selected')
    await page.mouse.dblclick(at.x, at.y)
    await page.waitForFunction(() => /focused on/.test(document.getElementById('prof-status')?.textContent ?? ''), undefined, { timeout: 30_000 })
    await page.waitForTimeout(800)
    await shot('callgraph-focused')
    await page.click('#clear-focus')
    await page.click('#view-flame')
    await page.waitForSelector('#flame-view g.frame', { timeout: 20_000 })
    await shot('flame')
    await page.fill('#search', 'compute')
    await page.waitForTimeout(300)
    await shot('flame-search')
    await page.fill('#search', '')
    await page.click('nav button[data-tab=processes]')
    await page.waitForTimeout(500)
    await shot('processes')
  } finally {
    await ctx.close()
    fs.rmSync(dir, { recursive: true, force: true })
    demo.proc.kill('SIGINT')
  }
  // The function-trace table (`sonde callgraph … --output txt`) of an express app with anonymous
  // route handlers (test/tracer/apps/anon-routes.js), traced by `sonde run`, as text.
  const trace = path.join(out, 'view-trace.json'), fixture = path.join(root, 'test/tracer/apps/anon-routes.js')
  spawnSync(process.execPath, [path.join(root, 'bin/sonde.js'), 'run', '--trace-functions', fixture, '--trace-out', trace, '--', process.execPath, fixture], { cwd: root, stdio: 'ignore', timeout: 60_000 })
  if (fs.existsSync(trace)) {
    const r = spawnSync(process.execPath, [path.join(root, 'bin/sonde.js'), 'callgraph', trace, '--output', 'txt'], { cwd: root, encoding: 'utf8' })
    fs.writeFileSync(path.join(out, 'view-trace-table.txt'), r.stdout)
    shots.push(path.join(out, 'view-trace-table.txt'))
  }
  for (const f of shots) console.log(path.relative(root, f))
}

main().catch((err) => { console.error(`dashboard-screenshots: ${err.message}`); process.exit(1) })
