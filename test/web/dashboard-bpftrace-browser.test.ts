// The dashboard's bpftrace panel in real Chromium against a real `sonde demo` child (root, real
// bpftrace): msg-latency started from the page draws a histogram with counts > 0 within 10 s,
// its count bounded by the in-process message collector's count over the same window; the
// Stop button ends a running http-latency (the bpftrace child of the demo is gone). A demo run
// as an unprivileged user shows the one-line reason and keeps Start disabled.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import fs from 'node:fs'
import path from 'node:path'
import { missing } from '../support/system'
import { ARTIFACTS, launchChromium } from './support/browser'
import { startDemoChild, authHeader } from './support/demo-child'
import { diagnosed, openDemoSession, until, getJson, type BrowserSession } from './support/browser-session'
import type { LiveSnapshot } from '../../web/server/live-feed'

const skip = missing('root', 'bpftrace', 'tracefs', 'chromium')
let s: BrowserSession

/** pids of bpftrace processes whose parent is `ppid` (from /proc). */
function bpftraceChildren(ppid: number): number[] {
  const out: number[] = []
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue
    try {
      const stat = fs.readFileSync(`/proc/${d}/stat`, 'utf8')
      const m = /^\d+ \((.*)\) \S+ (\d+)/.exec(stat)
      if (m && m[1] === 'bpftrace' && Number(m[2]) === ppid) out.push(Number(d))
    } catch { /* exited */ }
  }
  return out
}

async function received(): Promise<number> {
  const snap = await getJson<LiveSnapshot>(`${s.demo.url}api/snapshot`)
  return (snap.messages?.channels ?? []).reduce((a, c) => a + c.received, 0)
}

const barCounts = () => s.page.$$eval('#bt-hists rect.bt-bar', (r) => r.map((x) => Number(x.getAttribute('data-count'))))

test.before(async () => {
  if (skip) return
  s = await openDemoSession()
  await s.page.goto(s.demo.pageUrl)
  await s.page.waitForSelector('#bt-start:not([disabled])', { timeout: 10_000 })
})
test.after(async () => { if (s) assert.is(await s.close(), 0, 'Ctrl-C stops the demo with exit 0') })

test('msg-latency from the page: a histogram with counts within 10 s, bounded by the collector', async () => {
  if (skip) { console.log(`skip: ${skip}`); return }
  await diagnosed(s, async () => {
    const { page } = s
    const before = await received()
    await page.selectOption('#bt-name', 'msg-latency')
    await page.fill('#bt-seconds', '6')
    const t0 = Date.now()
    await page.click('#bt-start')
    await page.waitForFunction(() => Array.from(document.querySelectorAll('#bt-hists rect.bt-bar')).some((r) => Number(r.getAttribute('data-count')) > 0), undefined, { timeout: 10_000 })
    console.log(`  first histogram bars ${Date.now() - t0} ms after Start`)
    const titles = await page.$$eval('#bt-hists .bt-hist h4', (h) => h.map((x) => x.textContent))
    assert.ok(titles.includes('@latency_ns'), `histograms: ${titles}`)
    assert.match(await page.textContent('#bt-status') ?? '', /^msg-latency on pid \d+: running/)
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-bpftrace-running.png'), fullPage: true })
    await page.waitForFunction(() => /: done after/.test(document.getElementById('bt-status')?.textContent ?? ''), undefined, { timeout: 15_000 })
    assert.match(await page.textContent('#bt-status') ?? '', new RegExp(`^msg-latency on pid ${s.demo.pid}: done after`))
    // The final print: the hist's events = the stats() count in the map table (one bpftrace
    // program, two aggregations) and ≤ the messages the collectors saw from before Start to after
    // the end (the workers forward their counts within a second: wait for it).
    const hist = (await page.$$eval('#bt-hists .bt-hist', (d) => d.map((x) => ({ h: x.querySelector('h4')?.textContent, cap: x.querySelector('.caption')?.textContent ?? '' })))).find((x) => x.h === '@latency_ns')!
    const events = Number(/^(\d+) events/.exec(hist.cap)?.[1])
    const sumBars = (await page.$$eval('#bt-hists .bt-hist', (d) => d.filter((x) => x.querySelector('h4')?.textContent === '@latency_ns')
      .flatMap((x) => Array.from(x.querySelectorAll('rect.bt-bar')).map((r) => Number(r.getAttribute('data-count')))))).reduce((a, b) => a + b, 0)
    assert.is(sumBars, events, 'bars add up to the histogram count')
    const statsCount = await page.$$eval('#bt-maps tbody tr', (r) => r.map((x) => Array.from(x.querySelectorAll('td')).map((td) => td.textContent)).find((c) => c[0] === '@stats_ns count')?.[2])
    assert.is(Number(statsCount), events, 'stats() count = hist count')
    await page.waitForTimeout(1500)
    const after = await received()
    console.log(`  bpftrace saw ${events} messages, collectors ${after - before} over a wider window`)
    assert.ok(events > 0 && events <= after - before, `0 < ${events} ≤ ${after - before}`)
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-bpftrace-done.png'), fullPage: true })
    await page.locator('#card-bpftrace').screenshot({ path: path.join(ARTIFACTS, 'dashboard-bpftrace-panel.png') })
    assert.equal(bpftraceChildren(s.demo.pid), [], 'bpftrace exited')
    assert.equal(s.consoleErrors, [])
  })
})

test('http-latency: keyed histograms by method and URL; Stop ends bpftrace', async () => {
  if (skip) return
  await diagnosed(s, async () => {
    const { page } = s
    await page.selectOption('#bt-name', 'http-latency')
    await page.fill('#bt-seconds', '120')
    await page.click('#bt-start')
    await page.waitForFunction(() => Array.from(document.querySelectorAll('#bt-hists .bt-hist h4')).some((h) => /^@latency_us\[GET,\/api\//.test(h.textContent ?? '')), undefined, { timeout: 10_000 })
    assert.ok((await barCounts()).some((c) => c > 0), 'counts > 0')
    const kids = bpftraceChildren(s.demo.pid)
    assert.is(kids.length, 1, 'one bpftrace child of the demo while running')
    await page.screenshot({ path: path.join(ARTIFACTS, 'dashboard-bpftrace-http.png'), fullPage: true })
    assert.ok(await page.isEnabled('#bt-stop') && await page.isDisabled('#bt-start'), 'one run at a time')
    await page.click('#bt-stop')
    const ms = await until('bpftrace gone after Stop', () => !fs.existsSync(`/proc/${kids[0]}`) || bpftraceChildren(s.demo.pid).length === 0, 8000)
    console.log(`  bpftrace gone ${ms} ms after Stop`)
    await page.waitForFunction(() => /: done after/.test(document.getElementById('bt-status')?.textContent ?? ''), undefined, { timeout: 5000 })
    assert.ok(await page.isEnabled('#bt-start'), 'Start enabled again')
    assert.equal(s.consoleErrors, [])
  })
})

test('not root: the panel says so in one line and Start stays disabled', async () => {
  if (skip) return
  const dir = fs.mkdtempSync('/tmp/sonde-nobody-')
  fs.chownSync(dir, 65534, 65534)
  const demo = await startDemoChild(['--duration', '60'], { SONDE_RUNTIME_DIR: dir, HOME: dir }, { uid: 65534, gid: 65534 })
  const browser = await launchChromium()
  try {
    const info = await getJson<{ available: boolean; reason: string }>(`${demo.url}api/bpftrace`)
    assert.is(info.available, false)
    assert.match(info.reason, /^bpftrace needs root/)
    const res = await fetch(`${demo.url}api/bpftrace/start?name=msg-latency&seconds=5`, { method: 'POST', headers: authHeader })
    assert.is(res.status, 503)
    assert.is(((await res.json()) as { error: string }).error, info.reason)
    const page = await browser.context.newPage()
    await page.goto(demo.pageUrl)
    await page.waitForFunction(() => /^bpftrace unavailable: bpftrace needs root/.test(document.getElementById('bt-status')?.textContent ?? ''), undefined, { timeout: 10_000 })
    assert.ok(await page.isDisabled('#bt-start'))
    await page.locator('#card-bpftrace').screenshot({ path: path.join(ARTIFACTS, 'dashboard-bpftrace-not-root.png') })
  } finally {
    await browser.close()
    await demo.stop()
    fs.rmSync(dir, { recursive: true, force: true })
  }
})

test.run()
