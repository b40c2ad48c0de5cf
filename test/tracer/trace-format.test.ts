// tracer/trace-format.ts is the one place the trace format's constants are written: a trace
// built from them alone reads back through the importer to the times worked out by hand, and
// no other source file spells the magic line.
import fs from 'node:fs'
import path from 'node:path'
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import * as F from '../../tracer/trace-format'
import { importFromSondeTrace } from '../../viz/importers/sonde-trace'
import { toFolded } from '../../viz/writers/folded'

const root = path.resolve(__dirname, '..', '..')

function block(words: number[]): string {
  return Buffer.from(new Uint32Array(words).buffer).toString('base64')
}

test('a trace written from the constants reads back exactly', () => {
  const header: F.SectionHeader = {
    pid: 7, threadId: 0, thread: 'main', section: 1, final: true, startEpochMs: 0, droppedBlocks: 0, droppedEvents: 0,
    functions: [['f', '/a.js', 1, 0], ['g', '/a.js', 2, 0]],
  }
  const ev = (type: number, arg: number, dt: number) => [arg * F.EV_ARG_SCALE + type, dt]
  // start at 10 ns with an empty stack: f enters at 10, g at 20, g returns at 50, f at 60, end 100.
  const words = [0, 10, 0, ...ev(F.EV_ENTER, 0, 0), ...ev(F.EV_ENTER, 1, 10), ...ev(F.EV_EXIT, 0, 30), ...ev(F.EV_EXIT, 0, 10)]
  const text = [F.TRACE_MAGIC, `${F.LINE_SECTION} ${JSON.stringify(header)}`, `${F.LINE_BLOCK} 1 ${block(words)}`, `${F.LINE_END} 100`, ''].join('\n')
  const p = importFromSondeTrace(text, 't.trace')!
  // f: 10..60 with g inside 20..50 → f self 20 ns, g self 30 ns.
  assert.equal(toFolded(p).trim().split('\n').sort(), ['f 20', 'f;g 30'])
})

test('only tracer/trace-format.ts spells the magic line', () => {
  const hits: string[] = []
  for (const dir of ['tracer', 'viz', 'cli', 'web/server']) {
    const walk = (d: string): void => {
      for (const e of fs.readdirSync(path.join(root, d), { withFileTypes: true })) {
        const rel = `${d}/${e.name}`
        if (e.isDirectory()) walk(rel)
        else if (e.name.endsWith('.ts') && rel !== 'tracer/trace-format.ts') {
          const code = fs.readFileSync(path.join(root, rel), 'utf8').split('\n').filter((l) => !/^\s*(\/\/|\*)/.test(l))
          if (code.some((l) => l.includes('SONDE-TRACE'))) hits.push(rel)
        }
      }
    }
    walk(dir)
  }
  assert.equal(hits, [])
})

test.run()
