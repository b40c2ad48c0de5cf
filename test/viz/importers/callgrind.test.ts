// Callgrind: counts known from the program (prog.c) and inclusive costs checked by hand
// against the file (see test/fixtures/callgrind/README.md).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import path from 'node:path'
import { importProfileFile, importProfileText } from '../../../viz/importers'
import { importFromCallgrind } from '../../../viz/importers/callgrind'
import type { Profile } from '../../../viz/model/profile'
import { root } from './golden-file'

function fn(p: Profile, name: string) {
  const ex = p.threads[0].exact!
  const found = ex.functions.filter((f) => p.frames.get(f.frame).name === name)
  assert.is(found.length, 1, name)
  return found[0]
}
function edge(p: Profile, a: string, b: string) {
  const ex = p.threads[0].exact!
  return ex.edges.find((e) => p.frames.get(e.caller).name === a && p.frames.get(e.callee).name === b)!
}

for (const f of ['prog.callgrind', 'prog.dump-instr.callgrind']) {
  test(`${f}: call counts from the program, ACC charged once under recursion`, async () => {
    const p = await importProfileFile(path.join(root, 'test/fixtures/callgrind', f))
    assert.is(p.meta.event, 'Ir')
    assert.is(p.threads[0].tree, undefined)
    assert.is(fn(p, 'work').calls, 23)
    assert.is(fn(p, 'fact').calls, 276) // 23 × fact(12)
    assert.is(edge(p, 'fact', 'fact').calls, 253)
    assert.is(fn(p, 'is_even').calls, 21)
    assert.is(fn(p, 'is_odd').calls, 21)
    // fact's ACC equals the one edge into it (work → fact), not the sum over recursion levels.
    assert.is(fn(p, 'fact').total, edge(p, 'work', 'fact').total)
    assert.is(fn(p, 'is_even').total, edge(p, 'main', 'is_even').total)
    assert.is(fn(p, 'main').total, edge(p, '(below main)', 'main').total)
    // 184 + 46 (level 1) + 805 + 1196 + 460 (level 2), read off prog.callgrind by hand
    if (f === 'prog.callgrind') assert.is(fn(p, 'fact').self, 2691)
    const ex = p.threads[0].exact!
    const sumSelf = ex.functions.reduce((s, x) => s + x.self, 0)
    assert.is(sumSelf, ex.total) // every Ir is some function's self cost
  })
}

test('callgrind: malformed input names file and line; garbage → null', () => {
  const head = '# callgrind format\nevents: Ir\n'
  const err = (t: string) => { try { importProfileText(t, 'c.out'); return 'no error' } catch (e) { return (e as Error).message } }
  assert.is(err(head + 'fn=(1) a\n1 x\n'), 'c.out:4: bad cost "x"')
  assert.is(err(head + 'fn=(1)\n1 3\n'), 'c.out:3: name (1) used before it is defined')
  assert.is(err(head + '1 3\n'), 'c.out:3: cost line before any fn=')
  assert.is(err(head + 'fn=a\ncfn=b\ncalls=3 1\nfn=c\n'), 'c.out:6: calls= line not followed by its cost line')
  assert.is(err(head + 'fn=a\ncfn=b\ncalls=-3 1\n1 2\n'), 'c.out:5: bad call count "-3"')
  assert.is(err(head + 'fn=a\nbogus=1\n'), 'c.out:4: unknown line "bogus="')
  assert.is(importFromCallgrind('hello world\nnot callgrind\n', 'g'), null)
})

test.run()
