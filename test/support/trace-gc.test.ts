// The --trace-gc parser on real lines: one of each shape the V8s of Node 22, 24 and 26 print
// (copied from `node --trace-gc [--minor-ms]` runs of each line), a line that is not a GC, and a
// GC line of an unknown kind, which must throw rather than go uncounted.
import { test } from 'uvu'
import * as assert from 'uvu/assert'
import { parseTraceGcLine } from './trace-gc'

const LINES: Array<[string, string, number, number]> = [
  // Node 22 (V8 12.4)
  ['[27949:0x262d8000]       20 ms: Scavenge 4.6 (5.4) -> 4.2 (6.4) MB, pooled: 0 MB, 1.09 / 0.00 ms  (average mu = 1.000, current mu = 1.000) allocation failure; ', 'Scavenge', 1, 1.09],
  ['[27949:0x262d8000]      162 ms: Mark-Compact 51.3 (76.1) -> 49.9 (83.7) MB, pooled: 0 MB, 41.15 / 0.00 ms  (+ 1.2 ms in 0 steps since start of marking, biggest step 0.0 ms, walltime since start of marking 48 ms) (average mu = 0.738, current mu = 0.738) finalize incremental marking via stack guard; GC in old space requested', 'Mark-Compact', 4, 41.15],
  ['[27949:0x262d8000]      177 ms: Scavenge (interleaved) 68.3 (86.4) -> 62.1 (85.0) MB, pooled: 0 MB, 8.70 / 0.00 ms  (average mu = 0.738, current mu = 0.738) allocation failure; ', 'Scavenge', 1, 8.70],
  ['[27970:0xd5fe000]       21 ms: Minor Mark-Sweep 4.6 (5.4) -> 4.2 (5.4) MB, pooled: 0 MB, 0.76 / 0.00 ms  (average mu = 1.000, current mu = 1.000) allocation failure; ', 'Minor Mark-Sweep', 2, 0.76],
  // Node 24 (V8 13.6)
  ['[28390:0x3bf8c000]      246 ms: Mark-Compact (reduce) 59.5 (120.3) -> 57.3 (59.1) MB, pooled: 0 MB, 50.20 / 0.00 ms  (+ 0.8 ms in 45 steps since start of marking, biggest step 0.2 ms, walltime since start of marking 56 ms) (average mu = 0.540, current mu = 0.211) finalize incremental marking via stack guard; GC in old space requested', 'Mark-Compact', 4, 50.20],
  // Node 26 (V8 14)
  ['[28399:0xb674000]      141 ms: Incremental Mark-Compact 51.8 (80.4) -> 50.8 (79.5) MB, pooled: 0.0 MB, 22.41 / 0.00 ms (+ 0.1 ms in 1 steps since start of marking, biggest step 0.1 ms, walltime since start of marking 25 ms) (average mu = 0.837, current mu = 0.837) finalize incremental marking via stack guard; GC in old space requested', 'Incremental Mark-Compact', 4, 22.41],
  ['[28399:0xb674000]      632 ms: Mark-Compact 340.5 (396.0) -> 4.0 (61.1) MB, pooled: 242.8 MB, 12.65 / 0.00 ms (average mu = 0.777, current mu = 0.879) testing; GC in old space requested', 'Mark-Compact', 4, 12.65],
  ['[28399:0x7fa4fc001000]      441 ms: Scavenge (during sweeping) 296.7 (319.7) -> 273.7 (314.3) MB, pooled: 0.0 MB, 9.34 / 0.00 ms (average mu = 0.562, current mu = 0.529) allocation failure; ', 'Scavenge', 1, 9.34],
  ['[28419:0x2ff5d000]       95 ms: Incremental Minor Mark-Sweep 47.9 (54.0) -> 38.6 (51.8) MB, pooled: 0.0 MB, 1.32 / 0.00 ms (average mu = 1.000, current mu = 1.000) allocation failure; ', 'Incremental Minor Mark-Sweep', 2, 1.32],
  ['[28463:0x259c8000]      220 ms: Incremental Mark-Compact (reduce) 60.5 (80.1) -> 58.8 (60.4) MB, pooled: 0.0 MB, 38.78 / 0.00 ms (+ 1.4 ms in 51 steps since start of marking, biggest step 0.2 ms, walltime since start of marking 48 ms) (average mu = 0.498, current mu = 0.261) finalize incremental marking via stack guard; GC in old space requested', 'Incremental Mark-Compact', 4, 38.78],
]

test('every GC line shape of V8 12.4, 13.6 and 14: name, kind, isolate, pause', () => {
  for (const [line, name, kind, pauseMs] of LINES) {
    const g = parseTraceGcLine(line)
    assert.ok(g, line)
    assert.is(g!.name, name)
    assert.is(g!.kind, kind, line)
    assert.is(g!.pauseMs, pauseMs)
    assert.is(g!.isolate, /^\[\d+:(0x[0-9a-f]+)\]/.exec(line)![1])
  }
})

test('other lines are not GCs; an unknown GC line kind throws', () => {
  assert.is(parseTraceGcLine('MARK start 0x262d8000'), null)
  assert.is(parseTraceGcLine('RESULT {"n":1}'), null)
  assert.throws(() => parseTraceGcLine('[1:0x2a]       20 ms: Major Mark-Sweep 4.6 (5.4) -> 4.2 (6.4) MB, pooled: 0 MB, 1.09 / 0.00 ms'), /unknown shape/)
  assert.throws(() => parseTraceGcLine('[1:0x2a]       20 ms: Scavenge 4.6 (5.4) -> 4.2 (6.4) GB'), /unknown shape/)
})

test.run()
