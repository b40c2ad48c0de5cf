// Addon entry: per env, exports
//   semaphores   ArrayBuffer over the .probes semaphore array (external: no copy)
//   probeIndex   { "provider:name": index into semaphores }
//   fire         { "provider:name": native fire function } (one N-API call per fire)
//   faults()     wrong-type/count fire arguments seen (all threads)
//   benchEmpty() calls an empty native function (bench baseline for a bare uprobe)
//   isolateAddress() this env's v8::Isolate* as printed by --trace-gc
// plus the GC ring (gc-hook.cc), allocation sampler (alloc-sampler.cc) and cost clock
// (cost-clock.cc) functions.
#define SONDE_PROBES_NAPI
// First: Node 20's node_version.h defines NAPI_VERSION unguarded, node_api.h only by default.
#include <node_version.h>
#include "fire-args.h"
#include "env-state.h"
#include <stdio.h>

#define SONDE_STR2(x) #x
#define SONDE_STR(x) SONDE_STR2(x)

// The ABI this binary was built for, readable without loading it (probes/native-path.ts
// scans the file for it before dlopen).
extern "C" __attribute__((used, visibility("default"))) const char sonde_node_abi_tag[] =
    "sonde-node-abi=" SONDE_STR(NODE_MODULE_VERSION) ";";

extern "C" void sonde_bench_empty(void);

bool sonde_export_fn(napi_env env, napi_value exports, const char* name, napi_callback cb, void* data) {
  napi_value fn;
  if (napi_create_function(env, name, NAPI_AUTO_LENGTH, cb, data, &fn) != napi_ok) return false;
  return napi_set_named_property(env, exports, name, fn) == napi_ok;
}

static napi_value Faults(napi_env env, napi_callback_info) {
  napi_value r;
  napi_create_double(env, static_cast<double>(sonde_faults.load(std::memory_order_relaxed)), &r);
  return r;
}

static napi_value BenchEmpty(napi_env, napi_callback_info) {
  sonde_bench_empty();
  return nullptr;
}

// "0x..." as V8 prints the isolate in --trace-gc lines ([pid:0x...]): lets tests attribute lines.
static napi_value IsolateAddress(napi_env env, napi_callback_info info) {
  void* data;
  napi_get_cb_info(env, info, nullptr, nullptr, nullptr, &data);
  char buf[32];
  snprintf(buf, sizeof buf, "%p", static_cast<void*>(static_cast<EnvState*>(data)->isolate));
  napi_value r;
  napi_create_string_utf8(env, buf, NAPI_AUTO_LENGTH, &r);
  return r;
}

static void Teardown(napi_env, void* data, void*) {
  EnvState* s = static_cast<EnvState*>(data);
  sonde_loop_delay_teardown(s);
  sonde_alloc_teardown(s);
  sonde_gc_teardown(s);
  delete s;
}

static bool ExportProbes(napi_env env, napi_value exports, EnvState* s) {
  napi_value ab, index, fire;
  void* sem = const_cast<unsigned short*>(sonde_semaphores);
  if (napi_create_external_arraybuffer(env, sem, sizeof(sonde_semaphores), nullptr, nullptr, &ab) != napi_ok) return false;
  if (napi_create_object(env, &index) != napi_ok || napi_create_object(env, &fire) != napi_ok) return false;
  for (int i = 0; i < SONDE_PROBE_COUNT; i++) {
    const SondeProbeEntry& e = sonde_probe_table[i];
    napi_value n, fn;
    if (napi_create_int32(env, i, &n) != napi_ok || napi_set_named_property(env, index, e.key, n) != napi_ok) return false;
    if (napi_create_function(env, e.key, NAPI_AUTO_LENGTH, e.fire, &s->bufs, &fn) != napi_ok) return false;
    if (napi_set_named_property(env, fire, e.key, fn) != napi_ok) return false;
  }
  return napi_set_named_property(env, exports, "semaphores", ab) == napi_ok &&
         napi_set_named_property(env, exports, "probeIndex", index) == napi_ok &&
         napi_set_named_property(env, exports, "fire", fire) == napi_ok;
}

// Node loads any Node-API module, but this one also calls V8's C++ API, whose ABI changes
// every major: built for another major it would fail later, at a lazily bound symbol. Checked
// with Node-API only, before any V8 call.
static bool RightNode(napi_env env) {
  const napi_node_version* v = nullptr;
  if (napi_get_node_version(env, &v) != napi_ok || v == nullptr) return false;
  if (v->major == NODE_MAJOR_VERSION) return true;
  char msg[160];
  snprintf(msg, sizeof msg, "sonde: native addon built for Node %d (ABI %d), loaded into Node %u",
           NODE_MAJOR_VERSION, NODE_MODULE_VERSION, v->major);
  napi_throw_error(env, "SONDE_ADDON_ABI", msg);
  return false;
}

NAPI_MODULE_INIT() {
  if (!RightNode(env)) return nullptr;
  EnvState* s = new EnvState();
  s->env = env;
  s->isolate = v8::Isolate::GetCurrent();
  if (napi_set_instance_data(env, s, Teardown, nullptr) != napi_ok) {
    delete s;
    napi_throw_error(env, "SONDE_ADDON", "sonde: napi_set_instance_data failed");
    return nullptr;
  }
  if (!ExportProbes(env, exports, s) ||
      !sonde_export_fn(env, exports, "faults", Faults, s) ||
      !sonde_export_fn(env, exports, "benchEmpty", BenchEmpty, s) ||
      !sonde_export_fn(env, exports, "isolateAddress", IsolateAddress, s)) {
    napi_throw_error(env, "SONDE_ADDON", "sonde: could not build the addon exports");
    return nullptr;
  }
  sonde_cost_init(s, exports);  // before the GC callbacks, which write its cells
  sonde_gc_init(s, exports);
  sonde_alloc_init(s, exports);
  sonde_loop_delay_init(s, exports);
  return exports;
}
