// Human figures for labels: values in the profile's unit auto-scaled (ns → µs → ms → s,
// B → KiB → MiB → GiB, counts with thousands separators) and percentages of the whole.
import type { ValueUnit } from '../model/profile'

const NS_PER: Partial<Record<ValueUnit, number>> = { nanoseconds: 1, microseconds: 1e3, milliseconds: 1e6, seconds: 1e9 }

function trim(x: number): string {
  const a = Math.abs(x)
  return a >= 100 ? x.toFixed(0) : a >= 10 ? x.toFixed(1) : x.toFixed(2)
}

export function formatCount(n: number): string {
  const r = Math.round(n)
  return Math.abs(n - r) < 1e-9 ? r.toLocaleString('en-US') : trim(n)
}

export function formatValue(v: number, unit: ValueUnit): string {
  const ns = NS_PER[unit]
  if (ns !== undefined) {
    const x = v * ns
    const a = Math.abs(x)
    if (a >= 1e9) return `${trim(x / 1e9)} s`
    if (a >= 1e6) return `${trim(x / 1e6)} ms`
    if (a >= 1e3) return `${trim(x / 1e3)} µs`
    return `${trim(x)} ns`
  }
  if (unit === 'bytes') {
    const a = Math.abs(v)
    if (a >= 2 ** 30) return `${trim(v / 2 ** 30)} GiB`
    if (a >= 2 ** 20) return `${trim(v / 2 ** 20)} MiB`
    if (a >= 2 ** 10) return `${trim(v / 2 ** 10)} KiB`
    return `${formatCount(v)} B`
  }
  if (unit === 'samples') return `${formatCount(v)} ${v === 1 ? 'sample' : 'samples'}`
  if (unit === 'calls') return `${formatCount(v)} calls`
  return formatCount(v)
}

export function formatPercent(part: number, whole: number): string {
  if (!(whole > 0)) return '–'
  const p = (100 * part) / whole
  return `${p >= 10 ? p.toFixed(1) : p.toFixed(2)} %`
}
