// The running time of a replayed trace in time order, as the slices the importer charges
// (which calling context ran, for how long), for timelines (speedscope's time-order view).
// Consecutive slices of one context merge. Memory is bounded: past `maxSlices` (12 bytes
// each) the timeline is given up and only the aggregated tree remains.
import type { SampleSequence } from '../model/profile'

export const MAX_SLICES = 4 * 1024 * 1024

export class TimeSlices {
  private leaf = new Int32Array(1024)
  private weight = new Float64Array(1024)
  private n = 0
  private overflow = false

  constructor(private readonly maxSlices = MAX_SLICES) {}

  add(node: number, dt: number): void {
    if (this.overflow) return
    if (this.n > 0 && this.leaf[this.n - 1] === node) { this.weight[this.n - 1] += dt; return }
    if (this.n === this.maxSlices) { this.overflow = true; this.leaf = new Int32Array(0); this.weight = new Float64Array(0); return }
    if (this.n === this.leaf.length) {
      const cap = Math.min(this.maxSlices, this.n * 2)
      const leaf = new Int32Array(cap), weight = new Float64Array(cap)
      leaf.set(this.leaf)
      weight.set(this.weight)
      this.leaf = leaf
      this.weight = weight
    }
    this.leaf[this.n] = node
    this.weight[this.n++] = dt
  }

  /** The slices as an exact SampleSequence, or undefined when there were too many. */
  sequence(): SampleSequence | undefined {
    if (this.overflow) return undefined
    return { leaf: this.leaf.slice(0, this.n), weight: this.weight.slice(0, this.n), exact: true }
  }
}
