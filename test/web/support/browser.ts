// Debian's Chromium driven by playwright-core (no downloaded browser), headless, with a new
// empty user-data-dir per launch.
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { chromium, type BrowserContext } from 'playwright-core'

export const ARTIFACTS = path.resolve(__dirname, '../../artifacts')

export async function launchChromium(): Promise<{ context: BrowserContext; close(): Promise<void> }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sonde-chromium-'))
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: '/usr/bin/chromium', headless: true, viewport: { width: 1400, height: 1000 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-quic'],
  })
  fs.mkdirSync(ARTIFACTS, { recursive: true })
  return { context, close: async () => { await context.close(); fs.rmSync(dir, { recursive: true, force: true }) } }
}
