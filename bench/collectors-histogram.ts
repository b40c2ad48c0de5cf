// Histogram.record cost: ns per record, against a baseline loop that does the same value
// generation and writes into a plain Float64Array (same process, medians of 7 runs).
// Run: node --import tsx bench/collectors-histogram.ts
import { createTimeHistogram } from '../collectors/histogram'

const N = 5_000_000
const values = new Float64Array(4096)
for (let i = 0; i < values.length; i++) values[i] = Math.floor(Math.exp(Math.random() * Math.log(6e10)))

function base(): number {
  const sink = new Float64Array(4096)
  const t0 = process.hrtime.bigint()
  for (let i = 0; i < N; i++) sink[i & 4095] += values[i & 4095]
  return Number(process.hrtime.bigint() - t0) / N
}
function hist(): number {
  const h = createTimeHistogram()
  const t0 = process.hrtime.bigint()
  for (let i = 0; i < N; i++) h.record(values[i & 4095])
  return Number(process.hrtime.bigint() - t0) / N
}
const median = (xs: number[]) => xs.slice().sort((a, b) => a - b)[xs.length >> 1]
const b: number[] = [], h: number[] = []
for (let r = 0; r < 7; r++) { b.push(base()); h.push(hist()) }
const mb = median(b), mh = median(h)
process.stdout.write(JSON.stringify({ bench: 'histogram-record', n: N, baselineNsPerOp: +mb.toFixed(2), recordNsPerOp: +mh.toFixed(2), addedNs: +(mh - mb).toFixed(2) }) + '\n')
