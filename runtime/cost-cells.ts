// Indices of the addon's `costCells` Float64Array (layout: CostCell in native/env-state.h):
// clock and heap reads of costRead/costReadHeap, GC totals the GC callbacks keep since the addon
// loaded, and the flags JS sets for them.
export const COST_CPU_NS = 0, COST_HEAP_USED = 1, COST_GC_CPU_NS = 2, COST_GC_WALL_NS = 3, COST_GC_FREED = 4, COST_GC_COUNT = 5
/** Set from JS: read the used heap around every GC (COST_GC_FREED, COST_LOOSE_ALLOC_BYTES). */
export const COST_WANT_FREED = 6
/** Set from JS: 1 while a measured request's code runs. */
export const COST_IN_SLICE = 7
/** GCs that started with COST_IN_SLICE 0: their CPU, and the bytes allocated since the GC before each. */
export const COST_LOOSE_GC_CPU_NS = 8, COST_LOOSE_ALLOC_BYTES = 9
export const COST_USED_AFTER_GC = 10
/** costWallRead(): CLOCK_MONOTONIC, ns (process.hrtime's clock). */
export const COST_WALL_NS = 11
export const COST_CELLS = 12
