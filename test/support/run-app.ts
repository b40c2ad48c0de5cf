// Runs a workload app from test/fixtures/apps in a real `node -r <abs>/dist/register.js` child
// and returns its RESULT json (test support for the hooks-* and e2e-* tests).
import { spawnSync } from 'node:child_process'
import path from 'node:path'

export const root = path.resolve(__dirname, '..', '..')
export const dist = path.join(root, 'dist')
export const register = path.join(dist, 'register.js')
export const apps = path.join(root, 'test', 'fixtures', 'apps')

export interface AppRun { status: number | null; stdout: string; stderr: string; result: any }

export function runApp(app: string, env: Record<string, string>, preload: string[] = ['-r', register], extraArgs: string[] = []): AppRun {
  const r = spawnSync(process.execPath, [...preload, ...extraArgs, path.join(apps, app)], {
    encoding: 'utf8', timeout: 60_000, env: { ...process.env, SONDE_DIST: dist, SONDE_COLLECT: 'none', ...env },
  })
  const line = (r.stdout ?? '').split('\n').find((l) => l.startsWith('RESULT '))
  return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '', result: line ? JSON.parse(line.slice(7)) : undefined }
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}
