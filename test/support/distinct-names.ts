// Profiles with N distinct function names (1000 handlers under main, one leaf per sample
// line), in folded and V8 cpuprofile form, for the renderer's scaling test and bench.
import fs from 'node:fs'

export function writeDistinctFolded(file: string, n: number): void {
  const fd = fs.openSync(file, 'w')
  let chunk: string[] = []
  for (let i = 0; i < n; i++) {
    chunk.push(`main;handler_${i % 1000};fn_${i} ${1 + (i % 7)}`)
    if (chunk.length === 10_000) { fs.writeSync(fd, chunk.join('\n') + '\n'); chunk = [] }
  }
  if (chunk.length) fs.writeSync(fd, chunk.join('\n') + '\n')
  fs.closeSync(fd)
}

export function writeDistinctCpuprofile(file: string, n: number): void {
  const frame = (name: string, line: number) => `{"functionName":"${name}","scriptId":"1","url":"file:///app.js","lineNumber":${line},"columnNumber":1}`
  const fd = fs.openSync(file, 'w')
  fs.writeSync(fd, `{"nodes":[{"id":1,"callFrame":${frame('(root)', -1)},"hitCount":0,"children":[${Array.from({ length: n }, (_, i) => i + 2)}]}`)
  let chunk: string[] = []
  for (let i = 0; i < n; i++) {
    chunk.push(`{"id":${i + 2},"callFrame":${frame(`fn_${i}`, i % 5000)},"hitCount":${1 + (i % 3)},"children":[]}`)
    if (chunk.length === 10_000) { fs.writeSync(fd, ',\n' + chunk.join(',\n')); chunk = [] }
  }
  if (chunk.length) fs.writeSync(fd, ',\n' + chunk.join(',\n'))
  fs.writeSync(fd, '],"startTime":0,"endTime":1000000,"samples":[],"timeDeltas":[]}\n')
  fs.closeSync(fd)
}
