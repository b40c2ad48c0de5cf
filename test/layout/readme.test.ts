// README.md against the code: the configuration table lists exactly the SONDE_* variables of
// runtime/config.ts's table, and the shipped code and scripts read exactly those; the metric table exactly the metrics (type, labels) of a real
// /metrics scrape of an app under `-r sonde/register` with every collector busy; every doc and
// folder README is linked.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { SETTINGS } from '../../runtime/config'

const root = path.resolve(__dirname, '..', '..')
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8')

/** Rows of the markdown table whose header line starts with `| first |`. */
function table(first: string): string[][] {
  const lines = readme.split('\n')
  const start = lines.findIndex((l) => l.startsWith(`| ${first} |`))
  assert.ok(start >= 0, `README has a table starting "| ${first} |"`)
  const rows: string[][] = []
  for (let i = start + 2; i < lines.length && lines[i].startsWith('|'); i++) rows.push(lines[i].slice(1, -1).split('|').map((c) => c.trim()))  // no cell holds a |
  return rows
}
const code = (cell: string): string[] => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1])

const SHIPPED = ['index.ts', 'register.ts', 'probes', 'runtime', 'collectors', 'bpftrace', 'tracer', 'inspect', 'viz', 'web', 'cli', 'bin', 'scripts']

function sourceFiles(): string[] {
  const out: string[] = []
  const walk = (rel: string): void => {
    const st = fs.statSync(path.join(root, rel))
    if (st.isFile()) { if (/\.(ts|js|mjs|cjs)$/.test(rel) && !rel.endsWith('.d.ts')) out.push(rel); return }
    for (const e of fs.readdirSync(path.join(root, rel))) walk(`${rel}/${e}`)
  }
  for (const r of SHIPPED) walk(r)
  return out
}

/**
 * Every SONDE_* variable the code reads: through runtime/config.ts (setting('X'), isSet('X'),
 * setting(CONST) with CONST = 'X'), or from an environment directly as the scripts do (env.X,
 * env['X'], env[`X${…}`], env[CONST]).
 */
function variablesRead(): Map<string, string> {
  const found = new Map<string, string>()
  for (const f of sourceFiles()) {
    const text = fs.readFileSync(path.join(root, f), 'utf8')
    for (const m of text.matchAll(/\benv(?:\.|\[\s*['"`])(SONDE_[A-Z0-9_]*[A-Z0-9])(_\$\{)?/g)) found.set(m[2] ? `${m[1]}_<major>` : m[1], f)
    const consts = new Map([...text.matchAll(/\b(?:const|let)\s+(\w+)\s*=\s*['"](SONDE_[A-Z0-9_]+)['"]/g)].map((m) => [m[1], m[2]]))
    for (const m of text.matchAll(/\benv\[\s*(\w+)\s*\]/g)) if (consts.has(m[1])) found.set(consts.get(m[1])!, f)
    for (const m of text.matchAll(/\b(?:setting|isSet)\(\s*(?:'(SONDE_[A-Z0-9_]+)'|(\w+))/g)) {
      const name = m[1] ?? consts.get(m[2])
      if (name) found.set(name, f)
    }
  }
  return found
}

test('the configuration table lists every SONDE_* variable the code reads, and only those', () => {
  const listed = table('variable').map((r) => code(r[0])[0])
  const settings = Object.keys(SETTINGS).map((v) => (v === 'SONDE_NODE_' ? 'SONDE_NODE_<major>' : v))
  assert.equal([...listed].sort(), [...settings].sort(), "README's table = runtime/config.ts's SETTINGS")
  const read = variablesRead()
  assert.ok(read.has('SONDE_COLLECT') && read.has('SONDE_DASHBOARD') && read.has('SONDE_TRACE') && read.has('SONDE_NODE_<major>'), `the scan finds reads: ${[...read.keys()]}`)
  const missing = [...read.keys()].filter((v) => !listed.includes(v)).map((v) => `${v} (read in ${read.get(v)})`)
  assert.equal(missing, [], 'read by the code, not in README')
  assert.equal(listed.filter((v) => !read.has(v)), [], 'in README, read by no code')
  assert.is(new Set(listed).size, listed.length, 'each variable once')
})

test('README links every doc and every folder README, and each link resolves', () => {
  const links = [...readme.matchAll(/\]\(([^)#]+)\)/g)].map((m) => m[1]).filter((l) => !/^https?:/.test(l))
  for (const l of links) assert.ok(fs.existsSync(path.join(root, l)), `README links ${l}: missing`)
  const docs = fs.readdirSync(path.join(root, 'docs')).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)
  const folders = fs.readdirSync(root, { withFileTypes: true }).filter((e) => e.isDirectory() && fs.existsSync(path.join(root, e.name, 'README.md'))).map((e) => `${e.name}/README.md`)
  assert.equal([...docs, ...folders].filter((d) => !links.includes(d)), [], 'not linked from README')
})

interface Family { type: string; labels: Set<string>; samples: number }

function families(text: string): Map<string, Family> {
  const fam = new Map<string, Family>()
  for (const line of text.split('\n')) {
    const t = /^# TYPE (\S+) (\S+)$/.exec(line)
    if (t) { fam.set(t[1], { type: t[2], labels: new Set(), samples: 0 }); continue }
    const s = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? \S+$/.exec(line)
    if (!s) continue
    const f = fam.get(s[1]) ?? fam.get(s[1].replace(/_(bucket|sum|count)$/, ''))
    assert.ok(f, `sample ${s[1]} has a # TYPE`)
    f!.samples++
    for (const l of (s[2] ?? '').matchAll(/(\w+)="/g)) if (l[1] !== 'le') f!.labels.add(l[1])
  }
  return fam
}

test('the metric table is what /metrics serves: names, types, labels', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sonde-readme-'))
  const child = spawn(process.execPath, ['-r', path.join(root, 'dist/register.js'), path.join(__dirname, 'support/every-metric-app.js')], {
    env: { ...process.env, SONDE_DASHBOARD: '0', SONDE_TOKEN: '', SONDE_TOKEN_FILE: '', SONDE_COLLECT: 'default', SONDE_METRICS_NAMES: 'all', SONDE_RUNTIME_DIR: dir, ALIVE_MS: '60000' },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let err = '', out = ''
  child.stderr.on('data', (d) => { err += d })
  child.stdout.on('data', (d) => { out += d })
  try {
    for (let i = 0; i < 1200 && !(/ready/.test(out) && /dashboard on/.test(err)); i++) await new Promise((r) => setTimeout(r, 50))
    const m = /dashboard on (http:\/\/\S+?\/)(?:#token=(\S+))? /.exec(err)
    assert.ok(m && /ready/.test(out), `app: ${out} ${err}`)
    await new Promise((r) => setTimeout(r, 1500))  // one collector interval: the worker's GC deltas reach the main thread
    const res = await fetch(`${m![1]}metrics`, { headers: m![2] ? { authorization: `Bearer ${m![2]}` } : {} })
    assert.is(res.status, 200)
    const served = families(await res.text())
    const rows = table('metric')
    const listed = new Map(rows.map((r) => [code(r[0])[0], { type: r[1], labels: new Set(code(r[2])) }]))
    assert.equal([...listed.keys()].sort(), [...served.keys()].sort(), 'metric names')
    for (const [name, f] of served) {
      const row = listed.get(name)!
      assert.is(row.type, f.type, `${name} type`)
      assert.ok(f.samples > 0, `${name}: the app produced no series`)
      assert.equal([...row.labels].sort(), [...f.labels].sort(), `${name} labels`)
    }
    for (const r of rows) assert.ok(/^(s|bytes|ratio|messages)$/.test(r[3]), `${r[0]} unit ${r[3]}`)
  } finally {
    child.kill()
    fs.rmSync(dir, { recursive: true, force: true })
  }
})

test.run()
