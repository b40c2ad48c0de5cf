// The Profiles tab in real Chromium against a real `sonde demo` child: a CPU profile recorded
// from the page (call graph pan/zoom/search/focus, flame search); a folded profile dropped on
// the page (a real drop event carrying a DataTransfer built in the page) whose flame graph
// zooms on click to the known proportions and whose exports download (playwright download
// events) with the dropped content; the XSS fixture renders inert. Screenshots in test/artifacts/.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import fs from 'node:fs'
import path from 'node:path'
import { missing } from '../support/system'
import { root } from './support/demo-child'
import { ARTIFACTS } from './support/browser'
import { diagnosed, openDemoSession, type BrowserSession } from './support/browser-session'

const skip = missing('chromium')
let s: BrowserSession

// Prime weights: main 41 = dropA 30 (leafB 23 + leafC 7) + other 11.
const FOLDED = 'main;dropA;leafB 23\nmain;dropA;leafC 7\nmain;other 11\n'

test.before(async () => {
  if (skip) return
  s = await openDemoSession()
  await s.page.goto(s.demo.pageUrl)
})
test.after(async () => { if (s) assert.is(await s.close(), 0, 'Ctrl-C stops the demo with exit 0') })

test('call graph of a CPU profile recorded from the page: pan, zoom, search, focus, flame', async () => {
  if (skip) { console.log(`skip: ${skip}`); return }
  await diagnosed(s, async () => {
    const { page } = s
    await page.click('nav button[data-tab=profiles]')
    await page.fill('#rec-seconds', '2')
    await page.click('#rec')
    await page.waitForSelector('#graph-view svg g.node', { timeout: 30_000 })
    const layer = () => page.$eval('#graph-view g.zoom-layer', (g) => g.getAttribute('transform') ?? '')
    const b = (await (await page.$('#graph-view'))!.boundingBox())!
    await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2)
    await page.mouse.wheel(0, -400)
    await page.waitForTimeout(300)
    const zoomed = await layer()
    assert.ok(Number(/scale\(([\d.]+)\)/.exec(zoomed)?.[1]) > 1.05, `wheel zooms in: ${zoomed}`)
    await page.mouse.down()
    await page.mouse.move(b.x + b.width / 2 + 150, b.y + b.height / 2 + 80, { steps: 5 })
    await page.mouse.up()
    const panned = await layer()
    const t = (x: string) => (/translate\(([-\d.]+),([-\d.]+)\)/.exec(x) ?? []).slice(1).map(Number)
    // The layer is in viewBox units (the SVG is scaled to fit): the drag moves it right and down.
    const dx = t(panned)[0] - t(zoomed)[0], dy = t(panned)[1] - t(zoomed)[1]
    assert.ok(dx > 10 && dy > 5 && Math.abs(dx / dy - 150 / 80) < 0.2, `drag pans: ${zoomed} → ${panned}`)
    await page.fill('#search', 'computeScores')
    const matches = await page.$$eval('#graph-view g.node.match', (gs) => gs.map((g) => (g.querySelector('a')?.getAttribute('xlink:title') ?? '').split('\n')[0]))
    assert.ok(matches.includes('computeScores'), `search highlights computeScores: ${JSON.stringify(matches)}`)
    assert.ok(await page.$$eval('#graph-view g.node.dim', (g) => g.length) > 0, 'other nodes dimmed')
    await page.waitForTimeout(600)
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-callgraph-search.png') })
    await page.click('#graph-view g.node.match')
    await page.waitForFunction(() => /focused on computeScores/.test(document.getElementById('prof-status')?.textContent ?? ''), undefined, { timeout: 15_000 })
    assert.is(await page.textContent('#func-name'), 'computeScores')
    const callers = await page.$$eval('#func-callers li', (l) => l.map((x) => x.textContent ?? ''))
    assert.ok(callers.length > 0, `callers listed: ${callers}`)
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-callgraph-focus.png') })
    await page.click('#clear-focus')
    await page.click('#view-flame')
    await page.waitForSelector('#flame-view g.frame', { timeout: 10_000 })
    await page.fill('#search', 'computeScores')
    assert.ok(await page.$$eval('#flame-view g.frame.match', (g) => g.length) >= 1, 'flame search marks computeScores')
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-flame.png') })
    await page.fill('#search', '')
    await page.click('#view-graph')
    assert.equal(s.consoleErrors, [])
  })
})

test('drag and drop: a folded profile dropped on the page is imported and shown', async () => {
  if (skip) return
  await diagnosed(s, async () => {
    const { page } = s
    await page.click('nav button[data-tab=live]')
    // A real drop event whose DataTransfer holds a File made in the page (what a desktop drag gives).
    await page.evaluate((text) => {
      const dt = new DataTransfer()
      dt.items.add(new File([text], 'dropped.folded', { type: 'text/plain' }))
      const target = document.getElementById('drop')!
      for (const type of ['dragenter', 'dragover', 'drop']) target.dispatchEvent(new DragEvent(type, { dataTransfer: dt, bubbles: true, cancelable: true }))
    }, FOLDED)
    await page.waitForFunction(() => /^dropped\.folded /.test(document.querySelector('#profile-list option:checked')?.textContent ?? ''), undefined, { timeout: 15_000 })
    assert.ok(await page.isVisible('#tab-profiles'), 'a drop switches to the Profiles tab')
    await page.waitForFunction(() => (document.getElementById('graph-view')?.textContent ?? '').includes('leafB'), undefined, { timeout: 15_000 })
    const names = await page.$$eval('#graph-view g.node', (gs) => gs.map((g) => (g.querySelector('a')?.getAttribute('xlink:title') ?? g.querySelector('title')?.textContent ?? '').split('\n')[0]).sort())
    assert.equal(names.filter((n) => n !== 'sonde legend'), ['dropA', 'leafB', 'leafC', 'main', 'other'])
    assert.equal(s.consoleErrors, [])
  })
})

test('flame graph: click zooms into a frame (children at their share of it), click again zooms out', async () => {
  if (skip) return
  await diagnosed(s, async () => {
    const { page } = s
    await page.click('#view-flame')
    await page.waitForSelector('#flame-view g.frame title', { state: 'attached', timeout: 10_000 })
    const width = (name: string) => page.$eval('#flame-view svg', (svg, n) => {
      const g = Array.from(svg.querySelectorAll('g.frame')).find((f) => (f.querySelector('title')?.textContent ?? '').split('\n')[0] === n)
      return g ? Number(g.querySelector('rect')!.getAttribute('width')) + 0.5 : 0
    }, name)
    const full = await page.$eval('#flame-view svg', (svg) => Number(svg.getAttribute('width')))
    const near = (a: number, b: number, what: string) => assert.ok(Math.abs(a - b) < 1.5, `${what}: ${a.toFixed(1)} vs ${b.toFixed(1)}`)
    near(await width('dropA'), full * 30 / 41, 'dropA before zoom')
    await page.locator('#flame-view g.frame', { hasText: 'dropA' }).click()
    await page.waitForFunction(() => /dropA/.test(document.getElementById('func-name')?.textContent ?? ''), undefined, { timeout: 5000 })
    near(await width('dropA'), full, 'dropA after zoom fills the width')
    near(await width('leafB'), full * 23 / 30, 'leafB is 23/30 of the zoomed frame')
    near(await width('leafC'), full * 7 / 30, 'leafC is 7/30')
    assert.is(await width('other'), 0, 'a frame outside the zoomed one is not drawn')
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-flame-zoomed.png') })
    await page.locator('#flame-view g.frame', { hasText: 'dropA' }).click()
    near(await width('dropA'), full * 30 / 41, 'clicking the zoomed frame zooms out')
    await page.click('#view-graph')
    assert.equal(s.consoleErrors, [])
  })
})

test('export buttons download the profile: folded round-trips the dropped lines, DOT names every function', async () => {
  if (skip) return
  await diagnosed(s, async () => {
    const { page } = s
    const download = async (fmt: string) => {
      const [d] = await Promise.all([page.waitForEvent('download', { timeout: 10_000 }), page.click(`button[data-export=${fmt}]`)])
      const file = path.join(ARTIFACTS, `export-${d.suggestedFilename()}`)
      await d.saveAs(file)
      return { name: d.suggestedFilename(), text: fs.readFileSync(file, 'utf8') }
    }
    const folded = await download('folded')
    assert.is(folded.name, 'dropped.folded.txt')
    assert.equal(folded.text.trim().split('\n').sort(), FOLDED.trim().split('\n').sort(), 'folded export = the dropped lines')
    const dot = await download('dot')
    assert.is(dot.name, 'dropped.dot')
    assert.match(dot.text, /^digraph /)
    for (const n of ['main', 'dropA', 'leafB', 'leafC', 'other']) assert.ok(dot.text.includes(`${n}`), `DOT names ${n}`)
    const json = JSON.parse((await download('json')).text) as { nodes: { name: string; total: number }[] }
    assert.is(json.nodes.find((n) => n.name === 'dropA')?.total, 30, 'JSON export: dropA total 30')
    assert.equal(s.consoleErrors, [])
  })
})

test('XSS fixture: hostile function names render as inert text', async () => {
  if (skip) return
  await diagnosed(s, async () => {
    const { page } = s
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
    assert.equal(s.dialogs, [], 'no alert() ran')
    assert.equal(s.consoleErrors, [])
  })
})

test.run()
