// V8 GC prologue/epilogue callbacks, one pair per isolate (env). They fire
//   sonde:gc__start(kind, flags)  sonde:gc__done(kind, flags, duration ns, used before, used after)
//   sonde:heap__grow/heap__shrink(committed before, committed after)  node:gc__start/gc__done
// and, while JS asked for it (gcRingStart), append one record per GC to a bounded ring that
// JS drains (gcDrain) when a threadsafe-function call, queued from the epilogue, runs on the
// loop. Nothing here allocates on the JS heap or calls into JS: GetHeapStatistics fills a C
// struct; uv_hrtime is the clock of process.hrtime.bigint(). V8 does not nest callbacks
// (GCCallbacksScope), but a small stack pairs them anyway; an epilogue with no prologue is
// counted and skipped.
// The ring records from the addon's load (a start-up mode with no drain callback), so GCs that
// run before any JS asks for them (sonde's own module loading) are kept for the first
// gcRingStart; gcRingStop ends that mode, and so does a full ring. The callbacks also keep the
// running GC totals of cost-clock.cc's cells (main-thread CPU, wall time, freed bytes, count).
#include <uv.h>
#include "env-state.h"

namespace {

constexpr int kMaxDepth = 8;
constexpr uint32_t kRingSize = 4096;  // power of two
constexpr int kRecordFields = 8;

struct Pending { int32_t kind, flags; uint64_t startNs, used, committed; double cpuNs; bool stats; };
struct Record { int32_t kind, flags; uint64_t startNs, durationNs, usedBefore, usedAfter, committedBefore, committedAfter; };

}  // namespace

struct GcState {
  Pending stack[kMaxDepth];
  int depth = 0;
  uint64_t unpaired = 0;
  bool ringOn = false;
  bool early = false;         // recording since load, before any gcRingStart
  Record ring[kRingSize];
  uint64_t head = 0, tail = 0;  // head: next write; tail: next read
  uint64_t dropped = 0;
  napi_threadsafe_function tsfn = nullptr;  // cleared by its finalizer, never freed here
  bool drainQueued = false;
  uint64_t tsfnGen = 0;       // which threadsafe function tsfn is (see TsfnToken)
  uint32_t liveTsfns = 0;     // created and not yet finalized
  bool orphaned = false;      // the env is gone: the last finalizer frees this state
};

// Finalize data of one threadsafe function: the state it drains and its generation, so a
// late finalizer of a replaced function does not clear its successor.
struct TsfnToken { GcState* g; uint64_t gen; };

static inline bool on(int idx) { return sonde_semaphores[idx] != 0; }

static void Prologue(v8::Isolate* iso, v8::GCType type, v8::GCCallbackFlags flags, void* data) {
  GcState* g = static_cast<EnvState*>(data)->gc;
  int d = g->depth++;
  if (d >= kMaxDepth) return;
  Pending& p = g->stack[d];
  p.kind = static_cast<int32_t>(type);
  p.flags = static_cast<int32_t>(flags);
  p.startNs = uv_hrtime();
  double* cost = static_cast<EnvState*>(data)->cost;
  p.cpuNs = cost != nullptr ? sonde_thread_cpu_ns() : 0;
  p.stats = g->ringOn || (cost != nullptr && cost[kCostWantFreed] != 0) || on(SONDE_IDX_sonde_gc__done) || on(SONDE_IDX_sonde_heap__grow) || on(SONDE_IDX_sonde_heap__shrink);
  if (p.stats) {
    v8::HeapStatistics hs;
    iso->GetHeapStatistics(&hs);
    p.used = hs.used_heap_size();
    p.committed = hs.total_heap_size();
  }
  if (on(SONDE_IDX_sonde_gc__start)) sonde_site_sonde_gc__start(p.kind, p.flags);
  if (on(SONDE_IDX_node_gc__start)) sonde_site_node_gc__start(p.kind, p.flags, iso);
}

static void Epilogue(v8::Isolate* iso, v8::GCType type, v8::GCCallbackFlags flags, void* data) {
  EnvState* s = static_cast<EnvState*>(data);
  GcState* g = s->gc;
  if (g->depth == 0) { g->unpaired++; return; }
  int d = --g->depth;
  if (d >= kMaxDepth) return;
  const Pending& p = g->stack[d];
  uint64_t now = uv_hrtime();
  uint64_t dur = now - p.startNs;
  uint64_t used = 0, committed = 0;
  if (p.stats) {
    v8::HeapStatistics hs;
    iso->GetHeapStatistics(&hs);
    used = hs.used_heap_size();
    committed = hs.total_heap_size();
  }
  int32_t kind = p.kind, fl = static_cast<int32_t>(flags);
  if (double* cost = s->cost) {
    double cpu = sonde_thread_cpu_ns() - p.cpuNs;
    cost[kCostGcCpuNs] += cpu;
    cost[kCostGcWallNs] += static_cast<double>(dur);
    if (p.stats && p.used > used) cost[kCostGcFreed] += static_cast<double>(p.used - used);
    if (kind & 7) cost[kCostGcCount] += 1;
    if (cost[kCostInSlice] == 0) {
      cost[kCostLooseGcCpuNs] += cpu;
      double grown = static_cast<double>(p.used) - cost[kCostUsedAfterGc];
      if (p.stats && grown > 0) cost[kCostLooseAllocBytes] += grown;
    }
    if (p.stats) cost[kCostUsedAfterGc] = static_cast<double>(used);
  }
  if (on(SONDE_IDX_sonde_gc__done)) sonde_site_sonde_gc__done(kind, fl, dur, p.used, used);
  if (on(SONDE_IDX_node_gc__done)) sonde_site_node_gc__done(kind, fl, iso);
  if (p.stats && committed > p.committed && on(SONDE_IDX_sonde_heap__grow)) sonde_site_sonde_heap__grow(p.committed, committed);
  if (p.stats && committed < p.committed && on(SONDE_IDX_sonde_heap__shrink)) sonde_site_sonde_heap__shrink(p.committed, committed);
  if (!g->ringOn || !p.stats) return;
  if (g->head - g->tail >= kRingSize) {
    g->dropped++;
    if (g->early) { g->early = false; g->ringOn = false; }  // nobody came for them: stop paying for the stats
  } else {
    g->ring[g->head % kRingSize] = Record{kind, fl, p.startNs, dur, p.used, used, p.committed, committed};
    g->head++;
  }
  if (g->tsfn != nullptr && !g->drainQueued) {
    g->drainQueued = true;
    napi_call_threadsafe_function(g->tsfn, nullptr, napi_tsfn_nonblocking);
  }
}

static void CallDrain(napi_env env, napi_value js_cb, void* context, void*) {
  if (env == nullptr || js_cb == nullptr) return;  // torn down (abort): context may be gone
  GcState* g = static_cast<GcState*>(context);
  g->drainQueued = false;
  napi_value undef;
  napi_get_undefined(env, &undef);
  napi_call_function(env, undef, js_cb, 0, nullptr, nullptr);  // the JS side catches its own faults
}

// Runs on the loop thread once a threadsafe function is gone: after StopRing released it, or
// when Node closes it itself during environment cleanup (process or worker exit). The only
// sign that the handle is dead; the epilogue stops using it from here on.
static void TsfnFinalized(napi_env, void* data, void*) {
  TsfnToken* t = static_cast<TsfnToken*>(data);
  GcState* g = t->g;
  const uint64_t gen = t->gen;
  delete t;
  if (g->tsfnGen == gen) {
    g->tsfn = nullptr;
    g->drainQueued = false;
  }
  if (--g->liveTsfns == 0 && g->orphaned) delete g;
}

// Called from JS only (gcRingStart, gcRingStop): releasing a threadsafe function from an
// environment-cleanup path re-enters Node's own close and deadlocks on 24+.
static void StopRing(GcState* g) {
  g->ringOn = false;
  g->early = false;
  if (g->tsfn != nullptr) {
    napi_release_threadsafe_function(g->tsfn, napi_tsfn_abort);
    g->tsfn = nullptr;
  }
  g->drainQueued = false;
}

// gcRingStart(drainCallback): records GCs from now on (the first call: since load); calls
// drainCallback (on this thread's loop, unref'd) after GCs. Returns true.
static napi_value RingStart(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], r;
  void* data;
  napi_get_cb_info(env, info, &argc, argv, nullptr, &data);
  GcState* g = static_cast<EnvState*>(data)->gc;
  const bool keep = g->early;  // the first start gets the GCs since load
  StopRing(g);
  if (!keep) g->tail = g->head;  // nothing from an earlier session
  napi_value name;
  napi_create_string_utf8(env, "sonde-gc-drain", NAPI_AUTO_LENGTH, &name);
  TsfnToken* token = new TsfnToken{g, ++g->tsfnGen};
  bool ok = argc == 1 && napi_create_threadsafe_function(env, argv[0], nullptr, name, 0, 1, token, TsfnFinalized, g, CallDrain, &g->tsfn) == napi_ok;
  if (ok) {
    g->liveTsfns++;
    napi_unref_threadsafe_function(env, g->tsfn);
    g->ringOn = true;
    if (g->head != g->tail) {  // start-up records: deliver them without waiting for the next GC
      g->drainQueued = true;
      napi_call_threadsafe_function(g->tsfn, nullptr, napi_tsfn_nonblocking);
    }
  } else {
    delete token;
    g->tsfn = nullptr;
  }
  napi_get_boolean(env, ok, &r);
  return r;
}

static napi_value RingStop(napi_env env, napi_callback_info info) {
  void* data;
  napi_get_cb_info(env, info, nullptr, nullptr, nullptr, &data);
  StopRing(static_cast<EnvState*>(data)->gc);
  return nullptr;
}

// gcDrain(out: Float64Array): copies up to out.length/8 records (kind, flags, startNs,
// durationNs, usedBefore, usedAfter, committedBefore, committedAfter) and returns the count.
static napi_value Drain(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], r;
  void* data;
  napi_get_cb_info(env, info, &argc, argv, nullptr, &data);
  GcState* g = static_cast<EnvState*>(data)->gc;
  napi_typedarray_type t;
  size_t len = 0;
  void* raw = nullptr;
  uint32_t n = 0;
  if (argc == 1 && napi_get_typedarray_info(env, argv[0], &t, &len, &raw, nullptr, nullptr) == napi_ok && t == napi_float64_array) {
    double* out = static_cast<double*>(raw);
    while (g->tail < g->head && (n + 1) * kRecordFields <= len) {
      const Record& rec = g->ring[g->tail % kRingSize];
      double* o = out + n * kRecordFields;
      o[0] = rec.kind; o[1] = rec.flags; o[2] = static_cast<double>(rec.startNs); o[3] = static_cast<double>(rec.durationNs);
      o[4] = static_cast<double>(rec.usedBefore); o[5] = static_cast<double>(rec.usedAfter);
      o[6] = static_cast<double>(rec.committedBefore); o[7] = static_cast<double>(rec.committedAfter);
      g->tail++;
      n++;
    }
  }
  napi_create_uint32(env, n, &r);
  return r;
}

// gcStats(): [dropped ring records, unpaired epilogues, current depth]
static napi_value Stats(napi_env env, napi_callback_info info) {
  void* data;
  napi_get_cb_info(env, info, nullptr, nullptr, nullptr, &data);
  GcState* g = static_cast<EnvState*>(data)->gc;
  napi_value arr, v;
  napi_create_array_with_length(env, 3, &arr);
  double vals[3] = {static_cast<double>(g->dropped), static_cast<double>(g->unpaired), static_cast<double>(g->depth)};
  for (uint32_t i = 0; i < 3; i++) { napi_create_double(env, vals[i], &v); napi_set_element(env, arr, i, v); }
  return arr;
}

void sonde_gc_init(EnvState* s, napi_value exports) {
  s->gc = new GcState();
  s->gc->ringOn = s->gc->early = true;
  if (s->isolate != nullptr) {
    s->isolate->AddGCPrologueCallback(Prologue, s, v8::kGCTypeAll);
    s->isolate->AddGCEpilogueCallback(Epilogue, s, v8::kGCTypeAll);
  }
  sonde_export_fn(s->env, exports, "gcRingStart", RingStart, s);
  sonde_export_fn(s->env, exports, "gcRingStop", RingStop, s);
  sonde_export_fn(s->env, exports, "gcDrain", Drain, s);
  sonde_export_fn(s->env, exports, "gcStats", Stats, s);
}

// From the instance-data finalizer, i.e. inside environment cleanup: removes the callbacks and
// stops the ring, and touches no threadsafe function (Node closes those itself; their
// finalizer frees the state if one is still alive).
void sonde_gc_teardown(EnvState* s) {
  GcState* g = s->gc;
  if (g == nullptr) return;
  if (s->isolate != nullptr) {
    s->isolate->RemoveGCPrologueCallback(Prologue, s);
    s->isolate->RemoveGCEpilogueCallback(Epilogue, s);
  }
  g->ringOn = false;
  s->gc = nullptr;
  if (g->liveTsfns == 0) delete g;
  else g->orphaned = true;
}
