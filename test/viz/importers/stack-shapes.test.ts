// Shapes of perf script headers, DTrace and bpftrace keys seen in the wild, each with the
// stacks it must give (folded text, written out by hand from the input).
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { importProfileText } from '../../../viz/importers'
import { parseHeader } from '../../../viz/importers/perf-script'
import { toFolded } from '../../../viz/writers/folded'

const folded = (text: string, format?: string) => toFolded(importProfileText(text, 'x', format ? { format } : undefined))

test('perf headers: comm with spaces and colons, cpu, period, modifiers, tracepoint payload, no comm', () => {
  const cases: [string, string, string][] = [
    ['kworker/u8:2-ev 1234/1240 [001] 55.000001:     250000 cpu-clock:ppp: ', 'kworker/u8:2-ev', '1234/1240'],
    ['Web Content 77 [000] 1.5: 1 cycles:uH: ', 'Web Content', '77'],
    ['prog 18586 cpu-clock: ', 'prog', '18586'],
    ['prog 18586    2004008 cycles:u: ', 'prog', '18586'],
    ['swapper 0 [003] 9.0: sched:sched_switch: prev_comm=swapper/3 prev_pid=0', 'swapper', '0'],
    ['19704/19704 11377.009880: ', '', '19704/19704'],
  ]
  for (const [line, comm, key] of cases) {
    const h = parseHeader(line)
    assert.ok(h, line)
    assert.is(h!.comm, comm, line)
    assert.is(h!.key, key, line)
  }
  // a folded line fits 'comm pid' but has no time or event: the file stays folded
  assert.is(parseHeader('main;a 3')!.known, false)
  assert.is(importProfileText('main;a 3\nmain;b 2\n', 'x').format, 'folded')
  assert.is(parseHeader('hello world 5 more'), null)
})

test('perf: C++ symbols with spaces, [unknown], inlined, JS frames keep one function each', () => {
  const text = 'app 5/5 1.0: 1 cpu-clock: \n' +
    '\t    4010 std::vector<int, std::allocator<int> >::push_back(int const&)+0x12 (/usr/lib/libstdc++.so.6)\n' +
    '\t    4020 inl_mix+0x34 (inlined)\n\t    4020 fib+0x34 (/app)\n\t       0 [unknown] ([unknown])\n\n'
  assert.is(folded(text), '[unknown];fib;inl_mix;std::vector<int, std::allocator<int> >::push_back(int const&) 1\n')
})

test('DTrace: a 60-frame stack (count far below the head of the file), macOS frames, raw addresses, an empty stack', () => {
  const frames = Array.from({ length: 60 }, (_, i) => `              libsystem_c.dylib\`f${i}+0x${i.toString(16)}`)
  const text = 'CPU     ID                    FUNCTION:NAME\n  2  12345                        :tick-5s \n\n' + frames.join('\n') + '\n               7\n\n' +
    '              0x10dd4b7e0\n              a.out`main+0x2c\n              42\n\n               5\n'
  const p = importProfileText(text, 'x')
  assert.is(p.format, 'dtrace')
  const expect = '[empty stack] 5\n' + Array.from({ length: 60 }, (_, i) => `f${59 - i}`).join(';') + ' 7\nmain;0x10dd4b7e0 42\n'
  assert.is(toFolded(p), expect)
})

test('bpftrace: empty kstack (", ]: N"), scalar tuple element on the "@[" line', () => {
  const text = 'Attaching 1 probe...\n\n@[\n    leaf+1\n    main+2\n, ]: 3\n@[node, \n    leaf+1\n    main+2\n]: 4\n'
  assert.is(folded(text), 'main;leaf 3\nnode;main;leaf 4\n')
})

test('bpftrace 2>&1: its RLIMIT message and the traced program\'s output before the maps', () => {
  const text = 'ERROR: Unknown error -1: couldn\'t set RLIMIT_MEMLOCK for bpftrace. If your program is not loading, you can try "ulimit -l 8192" to fix the problem\n' +
    'Attaching 1 probe...\n7980758745359201632\n\n\n@[\n    0x5615082d51c7\n    0x5615082d507d\n]: 2\n'
  const p = importProfileText(text, 'x')
  assert.is(p.format, 'bpftrace')
  assert.is(toFolded(p), '0x5615082d507d;0x5615082d51c7 2\n')
})

test.run()
