// Deterministic synthetic stacks for the call-graph bench, written in several encodings of
// the same samples: folded (`a;b;c N`), `perf script` (one event per sample, leaf first),
// DTrace ustack aggregation (gprof2dot's `-f dtrace`), bpftrace `@[ustack] = count()` map
// output, and py-spy-style folded (`fn (file.py:line)` frames, the line varying with the
// depth) with its DTrace rendering `file.py`fn` (what gprof2dot reads for it). Functions sit in
// layers with some mutual recursion, like a real program's call graph.
'use strict'
const fs = require('node:fs')

function rng(seed) {
  let s = seed >>> 0
  return (n) => { s = (Math.imul(s, 1103515245) + 12345) >>> 0; return (s >>> 8) % n }
}

/** Yields { frames (root first), count } forever; the caller stops. */
function* stacks(seed = 42, functions = 600) {
  const r = rng(seed)
  const layers = 12, per = Math.floor(functions / layers)
  while (true) {
    const depth = 4 + r(20)
    const frames = ['main']
    for (let d = 1; d < depth; d++) {
      const layer = Math.min(layers - 1, Math.floor((d * layers) / 24))
      // skewed choice: low indices are hot
      const i = Math.floor(per * Math.pow(r(1000) / 1000, 3))
      frames.push(r(10) === 0 && d > 2 ? frames[d - 2] : `fn_${layer}_${i}`)
    }
    yield { frames, count: 1 + r(3) }
  }
}

/**
 * Writes `folded` (and `dtrace`, the same samples) until the folded file reaches
 * `foldedBytes`, and `perf` (a prefix of the same stream) until it reaches `perfBytes`.
 */
const KINDS = ['folded', 'perf', 'dtrace', 'bpftrace', 'pyspy', 'pyspyDtrace']
const pyFile = (f) => (f === 'main' ? 'main.py' : `m${f.split('_')[1]}.py`)

function writeInputs(dir, { foldedBytes, perfBytes = 0, dtrace = true, more = false, seed = 42 }) {
  fs.mkdirSync(dir, { recursive: true })
  const paths = { folded: `${dir}/stacks.folded`, perf: `${dir}/stacks.perf`, dtrace: `${dir}/stacks.dtrace`, bpftrace: `${dir}/stacks.bpftrace`, pyspy: `${dir}/stacks.pyspy`, pyspyDtrace: `${dir}/stacks.pyspy.dtrace` }
  const fd = { folded: fs.openSync(paths.folded, 'w'), perf: perfBytes > 0 && fs.openSync(paths.perf, 'w'), dtrace: dtrace && fs.openSync(paths.dtrace, 'w') }
  if (more) for (const k of ['bpftrace', 'pyspy', 'pyspyDtrace']) fd[k] = fs.openSync(paths[k], 'w')
  const size = { folded: 0, perf: 0 }, samples = { folded: 0, perf: 0 }
  const buf = { folded: [], perf: [], dtrace: [], bpftrace: [], pyspy: [], pyspyDtrace: [] }
  let ts = 1000
  const flush = () => {
    for (const k of KINDS) if (fd[k] && buf[k].length) { fs.writeSync(fd[k], buf[k].join('')); buf[k] = [] }
  }
  for (const s of stacks(seed)) {
    const foldedOpen = size.folded < foldedBytes, perfOpen = size.perf < perfBytes
    if (!foldedOpen && !perfOpen) break
    const leafFirst = [...s.frames].reverse()
    if (foldedOpen) {
      const line = `${s.frames.join(';')} ${s.count}\n`
      buf.folded.push(line); size.folded += line.length; samples.folded += s.count
      if (fd.dtrace) buf.dtrace.push(`\n${leafFirst.map((f) => `              app\`${f}\n`).join('')}         ${s.count}\n`)
      if (fd.bpftrace) buf.bpftrace.push(`@[\n${leafFirst.map((f, i) => `    ${f}+${16 + i}\n`).join('')}]: ${s.count}\n`)
      if (fd.pyspy) {
        buf.pyspy.push(`${s.frames.map((f, d) => `${f} (${pyFile(f)}:${10 + (d % 4)})`).join(';')} ${s.count}\n`)
        buf.pyspyDtrace.push(`\n${leafFirst.map((f) => `              ${pyFile(f)}\`${f}\n`).join('')}         ${s.count}\n`)
      }
    }
    if (perfOpen) {
      const body = leafFirst.map((f, i) => `\t    ${(0x400000 + i * 16).toString(16)} ${f}+0x${(i + 1).toString(16)} (/usr/bin/app)\n`).join('')
      for (let c = 0; c < s.count; c++) {
        ts += 0.001
        const ev = `app 4242/4242 ${ts.toFixed(6)}: 1000000 cpu-clock:u: \n${body}\n`
        buf.perf.push(ev); size.perf += ev.length; samples.perf += 1
      }
    }
    if (buf.folded.length + buf.perf.length >= 4000) flush()
  }
  flush()
  for (const k of KINDS) if (fd[k]) fs.closeSync(fd[k])
  return { paths, samples }
}

module.exports = { writeInputs, stacks }
