// Allocation sampling through V8's sampling heap profiler (C++ API), per isolate.
// Started with flags that keep samples of objects already collected by major and minor GCs,
// so the samples describe allocation, not retention. Each poll (from a JS timer) takes the
// profile, handles the samples whose id is above the last one seen (sample ids are
// time-ordered), fires sonde:alloc__sample(bytes, function, "url:line") when enabled and
// returns event objects when asked. Bounded memory: the profiler keeps every sample (collected
// ones included), and GetAllocationProfile copies the whole tree, so once the profile holds
// more than kMaxSamples samples it is restarted (stop + start: V8 frees its samples and tree,
// ids start again). Only the current sampling interval's "bytes until next sample" is lost.
// The JS side (runtime/alloc-sampler.ts) normally restarts after every poll that saw samples
// (allocStart again), so a poll copies only new samples; the cap is the fallback.
#include <string.h>
#include <unordered_map>
#include <memory>
#include <v8-profiler.h>
#include <v8-version.h>
#include "env-state.h"

namespace {
constexpr size_t kMaxSamples = 4096;
constexpr int kNameMax = 256;
}

struct AllocState {
  bool on = false;
  uint64_t interval = 32768;
  int depth = 32;
  uint64_t lastId = 0;
  uint64_t seen = 0;
  uint64_t restarts = 0;
};

using Node = v8::AllocationProfile::Node;

// At most cap - 1 bytes of s as UTF-8 (invalid sequences replaced), NUL-terminated. V8 13.6
// added WriteUtf8V2 and V8 14 removed WriteUtf8.
static void Utf8(v8::Isolate* iso, v8::Local<v8::String> s, char* buf, int cap, const char* fallback) {
#if V8_MAJOR_VERSION > 13 || (V8_MAJOR_VERSION == 13 && V8_MINOR_VERSION >= 6)
  int n = s.IsEmpty() ? 0 : static_cast<int>(s->WriteUtf8V2(iso, buf, static_cast<size_t>(cap - 1), v8::String::WriteFlags::kReplaceInvalidUtf8));
#else
  int n = s.IsEmpty() ? 0 : s->WriteUtf8(iso, buf, cap - 1, nullptr, v8::String::REPLACE_INVALID_UTF8 | v8::String::NO_NULL_TERMINATION);
#endif
  if (n <= 0) { strncpy(buf, fallback, cap - 1); n = static_cast<int>(strlen(buf)); }
  buf[n] = 0;
}

// "url:line" into SONDE_STRING_ARG_MAX bytes; a long url loses its end, never the line.
static void Location(char* loc, const char* url, int line) {
  char ln[16];
  int l = snprintf(ln, sizeof ln, ":%d", line);
  size_t room = SONDE_STRING_ARG_MAX - 1 - static_cast<size_t>(l), u = strlen(url);
  if (u > room) u = room;
  memcpy(loc, url, u);
  memcpy(loc + u, ln, static_cast<size_t>(l) + 1);
}

static bool Start(EnvState* s) {
  const int flags = v8::HeapProfiler::kSamplingIncludeObjectsCollectedByMajorGC | v8::HeapProfiler::kSamplingIncludeObjectsCollectedByMinorGC;
  return s->isolate->GetHeapProfiler()->StartSamplingHeapProfiler(s->alloc->interval, s->alloc->depth, static_cast<v8::HeapProfiler::SamplingFlags>(flags));
}

static EnvState* StateOf(napi_env env, napi_callback_info info, size_t* argc, napi_value* argv) {
  void* data = nullptr;
  napi_get_cb_info(env, info, argc, argv, nullptr, &data);
  return static_cast<EnvState*>(data);
}

// allocStart(intervalBytes, stackDepth) → boolean
static napi_value AllocStart(napi_env env, napi_callback_info info) {
  size_t argc = 2;
  napi_value argv[2], r;
  EnvState* s = StateOf(env, info, &argc, argv);
  double interval = 32768, depth = 32;
  if (argc > 0) napi_get_value_double(env, argv[0], &interval);
  if (argc > 1) napi_get_value_double(env, argv[1], &depth);
  AllocState* a = s->alloc;
  if (a->on) s->isolate->GetHeapProfiler()->StopSamplingHeapProfiler();
  a->interval = interval >= 1 ? static_cast<uint64_t>(interval) : 32768;
  a->depth = depth >= 1 && depth <= 256 ? static_cast<int>(depth) : 32;
  a->lastId = 0;
  a->on = Start(s);
  napi_get_boolean(env, a->on, &r);
  return r;
}

static napi_value AllocStop(napi_env env, napi_callback_info info) {
  EnvState* s = StateOf(env, info, nullptr, nullptr);
  if (s->alloc->on) s->isolate->GetHeapProfiler()->StopSamplingHeapProfiler();
  s->alloc->on = false;
  return nullptr;
}

static napi_value Str(napi_env env, const char* s) {
  napi_value v;
  napi_create_string_utf8(env, s, NAPI_AUTO_LENGTH, &v);
  return v;
}

// The stack array of node n: ["fn url:line", ...] (leaf first), at most maxStack frames.
static napi_value Stack(napi_env env, EnvState* s, const std::unordered_map<uint32_t, std::pair<Node*, Node*>>& nodes,
                        Node* n, int maxStack) {
  napi_value stack;
  napi_create_array(env, &stack);
  char f[kNameMax], u[kNameMax], frame[2 * kNameMax + 16];
  uint32_t depth = 0;
  for (Node* cur = n; cur != nullptr && static_cast<int>(depth) < maxStack;) {
    auto it = nodes.find(cur->node_id);
    Node* parent = it == nodes.end() ? nullptr : it->second.second;
    if (parent == nullptr) break;  // the root "(root)" is not a frame
    Utf8(s->isolate, cur->name, f, kNameMax, "(anonymous)");
    Utf8(s->isolate, cur->script_name, u, kNameMax, "");
    snprintf(frame, sizeof frame, "%s %s:%d", f, u, cur->line_number);
    napi_set_element(env, stack, depth++, Str(env, frame));
    cur = parent;
  }
  return stack;
}

// One event object: { bytes, size, functionName, url, line, stack } with bytes = size × V8's
// scaled count (the allocation this sample stands for), size = the sampled object's own size.
// Samples of one node in one poll share its name strings and stack array (hot sites repeat:
// building 16 frame strings per sample was most of a poll's cost).
struct NodeStrings { napi_value fn, url, stack; };
static napi_value Event(napi_env env, EnvState* s, const std::unordered_map<uint32_t, std::pair<Node*, Node*>>& nodes,
                        std::unordered_map<uint32_t, NodeStrings>& memo, Node* n, double bytes, double size, int maxStack) {
  napi_value o, v;
  auto it = memo.find(n->node_id);
  if (it == memo.end()) {
    char fn[kNameMax], url[kNameMax];
    Utf8(s->isolate, n->name, fn, kNameMax, "(anonymous)");
    Utf8(s->isolate, n->script_name, url, kNameMax, "");
    it = memo.emplace(n->node_id, NodeStrings{Str(env, fn), Str(env, url), Stack(env, s, nodes, n, maxStack)}).first;
  }
  napi_create_object(env, &o);
  napi_create_double(env, bytes, &v); napi_set_named_property(env, o, "bytes", v);
  napi_create_double(env, size, &v); napi_set_named_property(env, o, "size", v);
  napi_set_named_property(env, o, "functionName", it->second.fn);
  napi_set_named_property(env, o, "url", it->second.url);
  napi_create_int32(env, n->line_number, &v); napi_set_named_property(env, o, "line", v);
  napi_set_named_property(env, o, "stack", it->second.stack);
  return o;
}

// allocPoll(maxStack): fires alloc__sample for new samples; returns their events when
// maxStack > 0 (else an empty array).
static napi_value AllocPoll(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], out;
  EnvState* s = StateOf(env, info, &argc, argv);
  napi_create_array(env, &out);
  AllocState* a = s->alloc;
  if (!a->on) return out;
  int32_t maxStack = 0;
  if (argc > 0) napi_get_value_int32(env, argv[0], &maxStack);
  v8::HeapProfiler* hp = s->isolate->GetHeapProfiler();
  std::unique_ptr<v8::AllocationProfile> prof(hp->GetAllocationProfile());
  if (!prof) return out;
  const bool fire = sonde_semaphores[SONDE_IDX_sonde_alloc__sample] != 0;
  std::unordered_map<uint32_t, std::pair<Node*, Node*>> nodes;  // id → (node, parent)
  if (fire || maxStack > 0) {
    std::vector<std::pair<Node*, Node*>> todo{{prof->GetRootNode(), nullptr}};
    while (!todo.empty()) {
      auto [n, parent] = todo.back();
      todo.pop_back();
      nodes[n->node_id] = {n, parent};
      for (Node* c : n->children) todo.push_back({c, n});
    }
  }
  const std::vector<v8::AllocationProfile::Sample>& samples = prof->GetSamples();
  uint64_t maxId = a->lastId;
  uint32_t k = 0;
  char* fn = s->bufs.str[0];
  char* loc = s->bufs.str[SONDE_MAX_STRING_ARGS > 1 ? 1 : 0];
  char url[kNameMax];
  std::unordered_map<uint32_t, NodeStrings> memo;
  for (const auto& smp : samples) {
    if (smp.sample_id <= a->lastId) continue;
    if (smp.sample_id > maxId) maxId = smp.sample_id;
    a->seen++;
    if (!fire && maxStack <= 0) continue;
    auto it = nodes.find(smp.node_id);
    if (it == nodes.end()) continue;
    Node* n = it->second.first;
    double bytes = static_cast<double>(smp.size) * smp.count;
    if (fire) {
      Utf8(s->isolate, n->name, fn, kNameMax < SONDE_STRING_ARG_MAX ? kNameMax : SONDE_STRING_ARG_MAX, "(anonymous)");
      Utf8(s->isolate, n->script_name, url, kNameMax, "");
      Location(loc, url, n->line_number);
      sonde_site_sonde_alloc__sample(static_cast<uint64_t>(bytes), fn, loc);
    }
    if (maxStack > 0) napi_set_element(env, out, k++, Event(env, s, nodes, memo, n, bytes, static_cast<double>(smp.size), maxStack));
  }
  a->lastId = maxId;
  if (samples.size() > kMaxSamples) {
    prof.reset();
    hp->StopSamplingHeapProfiler();
    a->on = Start(s);
    a->lastId = 0;
    a->restarts++;
  }
  return out;
}

// allocStats(): [samples seen, restarts]
static napi_value AllocStats(napi_env env, napi_callback_info info) {
  EnvState* s = StateOf(env, info, nullptr, nullptr);
  napi_value arr, v;
  napi_create_array_with_length(env, 2, &arr);
  napi_create_double(env, static_cast<double>(s->alloc->seen), &v); napi_set_element(env, arr, 0, v);
  napi_create_double(env, static_cast<double>(s->alloc->restarts), &v); napi_set_element(env, arr, 1, v);
  return arr;
}

void sonde_alloc_init(EnvState* s, napi_value exports) {
  s->alloc = new AllocState();
  sonde_export_fn(s->env, exports, "allocStart", AllocStart, s);
  sonde_export_fn(s->env, exports, "allocPoll", AllocPoll, s);
  sonde_export_fn(s->env, exports, "allocStats", AllocStats, s);
  sonde_export_fn(s->env, exports, "allocStop", AllocStop, s);
}

void sonde_alloc_teardown(EnvState* s) {
  if (s->alloc == nullptr) return;
  if (s->alloc->on && s->isolate != nullptr) s->isolate->GetHeapProfiler()->StopSamplingHeapProfiler();
  delete s->alloc;
  s->alloc = nullptr;
}
