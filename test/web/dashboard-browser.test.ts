// The dashboard in real Chromium against a real `sonde demo` child: no console errors, live
// views with data within 8 s, call graph pan/zoom/search/focus and flame graph of a CPU profile
// recorded from the page, Page Visibility closing and reopening the stream, the XSS fixture
// inert. Screenshots go to test/artifacts/.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import path from 'node:path'
import type { BrowserContext, Page } from 'playwright-core'
import { missing } from '../support/system'
import { startDemoChild, getJson, root, type DemoChild } from './support/demo-child'
import { launchChromium, ARTIFACTS } from './support/browser'

const skip = missing('chromium')
let demo: DemoChild, browser: { context: BrowserContext; close(): Promise<void> }, page: Page
const consoleErrors: string[] = [], dialogs: string[] = []

async function clients(): Promise<number> {
  return (await getJson<{ streamClients: number }>(`${demo.url}api/status`)).streamClients
}

async function until(what: string, fn: () => Promise<boolean>, ms: number): Promise<number> {
  const t0 = Date.now()
  for (;;) {
    if (await fn()) return Date.now() - t0
    if (Date.now() - t0 > ms) throw new Error(`${what}: not within ${ms} ms`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

test.before(async () => {
  if (skip) return
  demo = await startDemoChild(['--duration', '300'])
  browser = await launchChromium()
  // tsx compiles this file with keepNames: functions passed to page.evaluate call __name.
  await browser.context.addInitScript('globalThis.__name = (f) => f')
  page = await browser.context.newPage()
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()) })
  page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`))
  page.on('dialog', (d) => { dialogs.push(d.message()); void d.dismiss() })
})

test.after(async () => {
  if (skip) return
  await browser?.close()
  if (demo) assert.is(await demo.stop(), 0, 'Ctrl-C stops the demo with exit 0')
})

test('the page loads and every live view draws data within 8 s', async () => {
  if (skip) { console.log(`skip: ${skip}`); return }
  const t0 = Date.now()
  await page.goto(demo.url)
  const views: [string, string, string?][] = [
    ['HTTP latency heatmap', '#heat-http rect[data-count]'],
    ['worker message heatmap', '#heat-msg rect[data-count]'],
    ['message channels table', '#msg-table tbody tr'],
    ['per-request cost', '#cost-table tbody tr'],
    ['heap by space', '#heap-bars g.bar'],
    // These two need the native GC hook / allocation sampler (probes/); without them the
    // collectors have nothing, and the view must say so instead of drawing.
    ['GC timeline', '#gc-timeline rect.gc', 'gc'],
    ['top allocation sites', '#alloc-bars g.bar', 'alloc'],
  ]
  const missingViews: string[] = []
  for (const [name, sel, source] of views) {
    const left = Math.max(100, 8000 - (Date.now() - t0))
    try { await page.waitForSelector(sel, { timeout: left, state: 'attached' }) } catch {
      if (!source) { missingViews.push(name); continue }
      const snap = await getJson<{ gc?: { count: number }; alloc?: { sites: unknown[] } }>(`${demo.url}api/snapshot`)
      const has = source === 'gc' ? (snap.gc?.count ?? 0) > 0 : (snap.alloc?.sites.length ?? 0) > 0
      if (has) missingViews.push(name)
      else {
        console.log(`  note: ${name}: the demo's collectors have no ${source} events in this build (native hook not loaded); checking the empty state`)
        const empty = await page.textContent(source === 'gc' ? '#gc-timeline text.empty' : '#alloc-bars text.empty')
        assert.ok(/no (GC|allocation samples) yet/.test(empty ?? ''), `${name} says it is empty: ${empty}`)
      }
    }
  }
  await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-live.png'), fullPage: true })
  assert.equal(missingViews, [], `views without data after 8 s: ${missingViews.join(', ')}`)
  // Data, not just containers: heatmap cells carry counts, the channel table real rows.
  const cells = await page.$$eval('#heat-http rect[data-count]', (r) => r.map((x) => Number(x.getAttribute('data-count'))))
  assert.ok(cells.reduce((a, b) => a + b, 0) > 0, 'heatmap cells count requests')
  const channels = await page.$$eval('#msg-table tbody tr td:nth-child(2)', (t) => t.map((x) => x.textContent))
  assert.ok(channels.includes('parent->worker'), `message channels: ${channels}`)
  // Updates ≥ 1 Hz: the utilization line grows by ≥ 2 points in 2.5 s.
  const n0 = await page.$eval('#loop-chart path.elu', (p) => (p.getAttribute('d') ?? '').split('L').length)
  await page.waitForTimeout(2500)
  const n1 = await page.$eval('#loop-chart path.elu', (p) => (p.getAttribute('d') ?? '').split('L').length)
  assert.ok(n1 - n0 >= 2, `live updates: ${n0} → ${n1} points`)
  assert.equal(consoleErrors, [], 'no console errors')
})

test('hiding the page closes its stream; showing it reopens and backfills', async () => {
  if (skip) return
  await until('one stream client', async () => (await clients()) === 1, 5000)
  const setVisibility = (state: 'hidden' | 'visible') => page.evaluate((s) => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => s })
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => s === 'hidden' })
    document.dispatchEvent(new Event('visibilitychange'))
  }, state)
  await setVisibility('hidden')
  await until('streamClients 0 while hidden', async () => (await clients()) === 0, 5000)
  assert.is(await page.textContent('#conn'), 'paused')
  await page.waitForTimeout(1500)
  assert.is(await clients(), 0, 'stays closed while hidden')
  await setVisibility('visible')
  await until('streamClients 1 when shown', async () => (await clients()) === 1, 5000)
  await page.waitForFunction(() => document.getElementById('conn')?.textContent === 'live', undefined, { timeout: 5000 })
  assert.equal(consoleErrors, [])
})

test('call graph of a CPU profile recorded from the page: pan, zoom, search, focus, flame', async () => {
  if (skip) return
  await page.click('nav button[data-tab=profiles]')
  await page.fill('#rec-seconds', '2')
  await page.click('#rec')
  await page.waitForSelector('#graph-view svg g.node', { timeout: 30_000 })
  const layer = () => page.$eval('#graph-view g.zoom-layer', (g) => g.getAttribute('transform') ?? '')
  const box = (await page.$('#graph-view'))!
  const b = (await box.boundingBox())!
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2)
  await page.mouse.wheel(0, -400)
  await page.waitForTimeout(300)
  const zoomed = await layer()
  const k = Number(/scale\(([\d.]+)\)/.exec(zoomed)?.[1])
  assert.ok(k > 1.05, `wheel zooms in: ${zoomed}`)
  await page.mouse.down()
  await page.mouse.move(b.x + b.width / 2 + 150, b.y + b.height / 2 + 80, { steps: 5 })
  await page.mouse.up()
  const panned = await layer()
  const t = (s: string) => (/translate\(([-\d.]+),([-\d.]+)\)/.exec(s) ?? []).slice(1).map(Number)
  // The layer is in viewBox units (the SVG is scaled to fit): the drag moves it right and down.
  const dx = t(panned)[0] - t(zoomed)[0], dy = t(panned)[1] - t(zoomed)[1]
  assert.ok(dx > 10 && dy > 5 && Math.abs(dx / dy - 150 / 80) < 0.2, `drag pans: ${zoomed} → ${panned}`)
  await page.fill('#search', 'computeScores')
  const matches = await page.$$eval('#graph-view g.node.match', (gs) => gs.map((g) => (g.querySelector('a')?.getAttribute('xlink:title') ?? '').split('\n')[0]))
  assert.ok(matches.includes('computeScores'), `search highlights computeScores: ${JSON.stringify(matches)}`)
  assert.ok(await page.$$eval('#graph-view g.node.dim', (g) => g.length) > 0, 'other nodes dimmed')
  await page.waitForTimeout(600)
  await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-callgraph-search.png') })
  // Click the match: focus on its callers and callees.
  await page.click('#graph-view g.node.match')
  await page.waitForFunction(() => /focused on computeScores/.test(document.getElementById('prof-status')?.textContent ?? ''), undefined, { timeout: 15_000 })
  assert.is(await page.textContent('#func-name'), 'computeScores')
  const callers = await page.$$eval('#func-callers li', (l) => l.map((x) => x.textContent ?? ''))
  assert.ok(callers.some((c) => c.startsWith('/api/users/:id') || c.length > 0), `callers listed: ${callers}`)
  await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-callgraph-focus.png') })
  await page.click('#clear-focus')
  await page.click('#view-flame')
  await page.waitForSelector('#flame-view g.frame', { timeout: 10_000 })
  await page.fill('#search', 'computeScores')
  assert.ok(await page.$$eval('#flame-view g.frame.match', (g) => g.length) >= 1, 'flame search marks computeScores')
  await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-flame.png') })
  await page.click('#view-graph')
  await page.fill('#search', '')
  assert.equal(consoleErrors, [])
})

test('XSS fixture: hostile function names render as inert text', async () => {
  if (skip) return
  await page.setInputFiles('#file', path.join(root, 'test/fixtures/xss/xss.cpuprofile'))
  await page.waitForFunction(() => /xss\.cpuprofile/.test(document.querySelector('#profile-list option:checked')?.textContent ?? ''), undefined, { timeout: 15_000 })
  await page.waitForFunction(() => (document.getElementById('graph-view')?.textContent ?? '').includes('<img src=x onerror=alert(1)>'), undefined, { timeout: 15_000 })
  await page.fill('#search', 'onerror')
  assert.ok(await page.$$eval('#graph-view g.node.match', (g) => g.length) >= 1, 'the hostile name is searchable text')
  await page.waitForTimeout(500)
  await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-xss-callgraph.png') })
  await page.click('#view-flame')
  await page.waitForFunction(() => Array.from(document.querySelectorAll('#flame-view g.frame title')).some((t) => (t.textContent ?? '').includes('<script>alert(2)</script>')), undefined, { timeout: 10_000 })
  await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-xss-flame.png') })
  const injected = await page.evaluate(() => ({
    img: document.querySelectorAll('main img').length,
    script: document.querySelectorAll('main script, svg script').length,
    svgOnload: Array.from(document.querySelectorAll('*')).filter((e) => Array.from(e.attributes).some((a) => /^on/i.test(a.name))).length,
  }))
  assert.equal(injected, { img: 0, script: 0, svgOnload: 0 })
  await page.waitForTimeout(500)
  assert.equal(dialogs, [], 'no alert() ran')
  assert.equal(consoleErrors, [])
})

test.run()
