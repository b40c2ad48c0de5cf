// One browser test file's set-up: a real `sonde demo` child and Debian's Chromium with one page
// whose console errors, page errors and dialogs are collected; close() stops both (the demo
// must exit 0 on Ctrl-C). Shared by the dashboard-*.test.ts browser files.
import type { BrowserContext, Page } from 'playwright-core'
import { startDemoChild, getJson, type DemoChild } from './demo-child'
import { launchChromium } from './browser'

export interface BrowserSession {
  demo: DemoChild
  context: BrowserContext
  page: Page
  consoleErrors: string[]
  dialogs: string[]
  close(): Promise<number | null>
}

export async function openDemoSession(demoArgs: string[] = ['--duration', '300'], env: NodeJS.ProcessEnv = {}, nodeArgs: string[] = []): Promise<BrowserSession> {
  const demo = await startDemoChild(demoArgs, env, {}, nodeArgs)
  const browser = await launchChromium()
  // tsx compiles test files with keepNames: functions passed to page.evaluate call __name.
  await browser.context.addInitScript('globalThis.__name = (f) => f')
  const page = await browser.context.newPage()
  const consoleErrors: string[] = [], dialogs: string[] = []
  page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()) })
  page.on('pageerror', (e) => consoleErrors.push(`pageerror: ${e.message}`))
  page.on('dialog', (d) => { dialogs.push(d.message()); void d.dismiss() })
  return {
    demo, context: browser.context, page, consoleErrors, dialogs,
    close: async () => { await browser.close(); return demo.stop() },
  }
}

/** Runs a test body; on failure prints what the page and the demo said (for a CI log), rethrows. */
export async function diagnosed(s: BrowserSession, body: () => Promise<void>): Promise<void> {
  try { await body() } catch (err) {
    let page: string
    try {
      page = await s.page.evaluate(() => ['conn', 'prof-status', 'bt-status', 'proc-label'].map((id) => `#${id}: ${document.getElementById(id)?.textContent ?? ''}`).join(' | '))
    } catch (e) { page = `page unreadable: ${(e as Error).message}` }
    console.log(`  diagnostics: ${page}\n  console errors: ${JSON.stringify(s.consoleErrors)}\n  demo (exit ${s.demo.proc.exitCode}) output tail: ${s.demo.output().slice(-600)}`)
    throw err
  }
}

/** Polls fn every 100 ms until it is true; returns the time it took, throws after ms. */
export async function until(what: string, fn: () => Promise<boolean> | boolean, ms: number): Promise<number> {
  const t0 = Date.now()
  for (;;) {
    if (await fn()) return Date.now() - t0
    if (Date.now() - t0 > ms) throw new Error(`${what}: not within ${ms} ms`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

export { getJson }
