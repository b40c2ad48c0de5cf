// Per-environment (main thread, each worker) state of the addon: the addon is context-aware
// (NAPI_MODULE_INIT), so each env gets its own instance, GC callbacks and cleanup.
#pragma once
#include <node_api.h>
#include <v8.h>
#include "probes.gen.h"

struct GcState;
struct AllocState;
struct LoopDelayState;

struct EnvState {
  napi_env env = nullptr;
  v8::Isolate* isolate = nullptr;
  SondeFireBuffers bufs;  // string args of JS fires and native alloc__sample fires
  GcState* gc = nullptr;
  AllocState* alloc = nullptr;
  LoopDelayState* loop = nullptr;  // loop-delay.cc's timer, once started
  double* cost = nullptr;  // cost-clock.cc's cells (kCost*), also written by the GC callbacks
};

// Cells of the `costCells` Float64Array (cost-clock.cc): the clock and heap reads of costRead /
// costReadHeap, and running totals the GC callbacks keep for every GC of this isolate since
// the addon loaded (the CPU the main thread spent inside GC pauses, their wall time, the bytes
// they freed, and how many collections (GCType 1|2|4) ran).
enum CostCell {
  kCostCpuNs = 0, kCostHeapUsed, kCostGcCpuNs, kCostGcWallNs, kCostGcFreed, kCostGcCount,
  kCostWantFreed,  // set from JS: read the used heap around every GC so kCostGcFreed is kept
  kCostInSlice,    // set from JS: 1 while a measured request's code runs
  // GCs that started with kCostInSlice 0 (V8's own tasks between callbacks, other code): their
  // CPU, and the bytes allocated since the previous GC (used heap at their start minus the used
  // heap after the GC before), which request-context.ts splits among the requests pro rata
  kCostLooseGcCpuNs, kCostLooseAllocBytes,
  kCostUsedAfterGc,  // used heap at the end of the latest GC with heap statistics read
  kCostWallNs,       // costWallRead(): CLOCK_MONOTONIC, ns (process.hrtime's clock)
  kCostCells
};
double sonde_thread_cpu_ns();

// Helper to register a native function on exports with the env state as its data.
bool sonde_export_fn(napi_env env, napi_value exports, const char* name, napi_callback cb, void* data);

// gc-hook.cc
void sonde_gc_init(EnvState* s, napi_value exports);
void sonde_gc_teardown(EnvState* s);
// alloc-sampler.cc
void sonde_alloc_init(EnvState* s, napi_value exports);
void sonde_alloc_teardown(EnvState* s);
// loop-delay.cc
void sonde_loop_delay_init(EnvState* s, napi_value exports);
void sonde_loop_delay_teardown(EnvState* s);
// cost-clock.cc
void sonde_cost_init(EnvState* s, napi_value exports);
