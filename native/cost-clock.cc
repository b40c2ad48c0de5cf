// The reads per-request cost attribution takes at the boundaries of a request's callbacks:
//   costRead()      cells[kCostCpuNs] = this thread's CPU time, ns (CLOCK_THREAD_CPUTIME_ID)
//   costReadHeap()  the same, and cells[kCostHeapUsed] = V8's used heap, bytes
//   costWallRead()  cells[kCostWallNs] = CLOCK_MONOTONIC, ns: the clock of process.hrtime
//                   (libuv's uv_hrtime), for the HTTP hook's two reads per request, where
//                   Number(process.hrtime.bigint()) makes and converts a BigInt (~1 300
//                   instructions under callgrind against ~250 for this call)
// and `costCells`, the Float64Array they write (layout: CostCell in env-state.h), which also
// holds the GC totals gc-hook.cc keeps. Results go to cells rather than return values so a read
// is one N-API call with no argument and no number to box. CLOCK_THREAD_CPUTIME_ID is exact to
// the ns (the scheduler's runtime of this thread); process.threadCpuUsage() reads
// getrusage(RUSAGE_THREAD), which on this kernel advances in scheduler ticks (steps of 0.05-4
// ms seen), too coarse for callbacks of tens of µs.
#include <time.h>
#include "env-state.h"

double sonde_thread_cpu_ns() {
  struct timespec ts;
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

static napi_value Read(napi_env env, napi_callback_info info) {
  void* data;
  napi_get_cb_info(env, info, nullptr, nullptr, nullptr, &data);
  static_cast<EnvState*>(data)->cost[kCostCpuNs] = sonde_thread_cpu_ns();
  return nullptr;
}

static napi_value WallRead(napi_env env, napi_callback_info info) {
  void* data;
  napi_get_cb_info(env, info, nullptr, nullptr, nullptr, &data);
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  static_cast<EnvState*>(data)->cost[kCostWallNs] = static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
  return nullptr;
}

static napi_value ReadHeap(napi_env env, napi_callback_info info) {
  void* data;
  napi_get_cb_info(env, info, nullptr, nullptr, nullptr, &data);
  EnvState* s = static_cast<EnvState*>(data);
  s->cost[kCostCpuNs] = sonde_thread_cpu_ns();
  v8::HeapStatistics hs;
  s->isolate->GetHeapStatistics(&hs);
  s->cost[kCostHeapUsed] = static_cast<double>(hs.used_heap_size());
  return nullptr;
}

// The cells live in a V8-allocated ArrayBuffer (its backing store never moves), held by a strong
// reference for the env's life (the GC callbacks write to it even if JS drops exports); without it (allocation failed) the functions are not exported and the
// GC callbacks skip the totals.
void sonde_cost_init(EnvState* s, napi_value exports) {
  napi_value ab, arr;
  void* raw = nullptr;
  if (s->isolate == nullptr ||
      napi_create_arraybuffer(s->env, kCostCells * sizeof(double), &raw, &ab) != napi_ok ||
      napi_create_typedarray(s->env, napi_float64_array, kCostCells, ab, 0, &arr) != napi_ok ||
      napi_set_named_property(s->env, exports, "costCells", arr) != napi_ok) return;
  napi_ref keep;
  if (napi_create_reference(s->env, ab, 1, &keep) != napi_ok) return;
  s->cost = static_cast<double*>(raw);
  for (int i = 0; i < kCostCells; i++) s->cost[i] = 0;
  sonde_export_fn(s->env, exports, "costRead", Read, s);
  sonde_export_fn(s->env, exports, "costReadHeap", ReadHeap, s);
  sonde_export_fn(s->env, exports, "costWallRead", WallRead, s);
}
