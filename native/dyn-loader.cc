// Loader for dynamic (user-defined) USDT providers. The ELF image is built in TypeScript
// (probes/dynamic/elf-writer.ts); this file only loads it and calls its stubs:
//   memfd(name, bytes)  -> fd | error string   (memfd_create + write; the fd stays open)
//   load(path, symbols, semSymbol, semCount, provider, names, stringCaps)
//                       -> { module, semaphores: Uint16Array, ids } | error string
//   fire(id, a0..a11)   calls the stub with 12 int64 slots (the stub ignores extras). The relay
//                       probe sonde:dyn__fire lives in the main addon and is fired from JS.
//   unload(module, arrayBuffer) detaches the semaphore view, then dlcloses.
// Probe ids index a process-wide append-only table read without a lock, so fires from any
// thread are safe; a module's entries are cleared before dlclose.
#include <node_api.h>
#include <dlfcn.h>
#include <sys/mman.h>
#include <unistd.h>
#include <errno.h>
#include <string.h>
#include <atomic>
#include <mutex>
#include <string>
#include <vector>

namespace {

typedef void (*Stub)(int64_t, int64_t, int64_t, int64_t, int64_t, int64_t,
                     int64_t, int64_t, int64_t, int64_t, int64_t, int64_t);

struct Entry {
  std::atomic<Stub> stub{nullptr};
  std::string provider, name;
  uint16_t caps[12];  // string bound (bytes incl. NUL) per argument; 0 = integer slot
  uint32_t nargs = 0;
};

constexpr size_t kChunk = 1024, kChunks = 1024;  // at most 1M probes per process
std::atomic<Entry*> g_chunks[kChunks];
std::atomic<uint32_t> g_count{0};
std::mutex g_mutex;

struct Module { void* handle; std::vector<uint32_t> ids; };
std::vector<Module*> g_modules;  // index = module id; nullptr once unloaded (under g_mutex)

Entry* Lookup(uint32_t id) {
  if (id >= g_count.load(std::memory_order_acquire)) return nullptr;
  Entry* chunk = g_chunks[id / kChunk].load(std::memory_order_acquire);
  return chunk ? &chunk[id % kChunk] : nullptr;
}

napi_value Str(napi_env env, const std::string& s) {
  napi_value v; napi_create_string_utf8(env, s.data(), s.size(), &v); return v;
}

std::string GetString(napi_env env, napi_value v) {
  size_t len = 0;
  if (napi_get_value_string_utf8(env, v, nullptr, 0, &len) != napi_ok) return std::string();
  std::string s(len, '\0');
  napi_get_value_string_utf8(env, v, &s[0], len + 1, &len);
  return s;
}

napi_value Memfd(napi_env env, napi_callback_info info) {
  size_t argc = 2; napi_value argv[2];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  std::string name = GetString(env, argv[0]);
  void* data = nullptr; size_t len = 0;
  if (napi_get_typedarray_info(env, argv[1], nullptr, &len, &data, nullptr, nullptr) != napi_ok)
    return Str(env, "memfd: expected a Uint8Array");
  int fd = memfd_create(name.c_str(), MFD_CLOEXEC);
  if (fd < 0) return Str(env, std::string("memfd_create: ") + strerror(errno));
  const char* p = static_cast<const char*>(data);
  size_t done = 0;
  while (done < len) {
    ssize_t w = write(fd, p + done, len - done);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) { std::string e = std::string("memfd write: ") + strerror(errno); close(fd); return Str(env, e); }
    done += static_cast<size_t>(w);
  }
  napi_value out; napi_create_int32(env, fd, &out); return out;
}

napi_value CloseFd(napi_env env, napi_callback_info info) {
  size_t argc = 1; napi_value argv[1]; int32_t fd = -1;
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (napi_get_value_int32(env, argv[0], &fd) == napi_ok && fd > 2) close(fd);
  return nullptr;
}

uint32_t ArrayLength(napi_env env, napi_value a) { uint32_t n = 0; napi_get_array_length(env, a, &n); return n; }
napi_value At(napi_env env, napi_value a, uint32_t i) { napi_value v; napi_get_element(env, a, i, &v); return v; }

// load(path, symbols[], semSymbol, semCount, provider, names[], caps[][])
napi_value Load(napi_env env, napi_callback_info info) {
  size_t argc = 7; napi_value argv[7];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (argc < 7) return Str(env, "load: 7 arguments expected");
  std::string path = GetString(env, argv[0]);
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) { const char* e = dlerror(); return Str(env, std::string("dlopen ") + path + ": " + (e ? e : "failed")); }
  uint32_t n = ArrayLength(env, argv[1]);
  std::vector<Stub> stubs(n);
  for (uint32_t i = 0; i < n; i++) {
    std::string sym = GetString(env, At(env, argv[1], i));
    stubs[i] = reinterpret_cast<Stub>(dlsym(handle, sym.c_str()));
    if (!stubs[i]) { dlclose(handle); return Str(env, "dlsym " + sym + ": not found"); }
  }
  std::string semSym = GetString(env, argv[2]);
  uint32_t semCount = 0; napi_get_value_uint32(env, argv[3], &semCount);
  void* sems = dlsym(handle, semSym.c_str());
  if (!sems) { dlclose(handle); return Str(env, "dlsym " + semSym + ": not found"); }
  napi_value ab, view;
  if (napi_create_external_arraybuffer(env, sems, semCount * 2, nullptr, nullptr, &ab) != napi_ok ||
      napi_create_typedarray(env, napi_uint16_array, semCount, ab, 0, &view) != napi_ok) {
    dlclose(handle); return Str(env, "load: cannot map the semaphores into JS");
  }
  std::string provider = GetString(env, argv[4]);
  Module* mod = new Module{handle, {}};
  napi_value ids; napi_create_array_with_length(env, n, &ids);
  {
    std::lock_guard<std::mutex> lock(g_mutex);
    for (uint32_t i = 0; i < n; i++) {
      uint32_t id = g_count.load(std::memory_order_relaxed);
      if (id >= kChunk * kChunks) break;
      Entry* chunk = g_chunks[id / kChunk].load(std::memory_order_relaxed);
      if (!chunk) { chunk = new Entry[kChunk]; g_chunks[id / kChunk].store(chunk, std::memory_order_release); }
      Entry& e = chunk[id % kChunk];
      e.provider = provider;
      e.name = GetString(env, At(env, argv[5], i));
      napi_value caps = At(env, argv[6], i);
      e.nargs = ArrayLength(env, caps) < 12 ? ArrayLength(env, caps) : 12;
      for (uint32_t a = 0; a < 12; a++) {
        uint32_t c = 0;
        if (a < ArrayLength(env, caps)) napi_get_value_uint32(env, At(env, caps, a), &c);
        e.caps[a] = static_cast<uint16_t>(c > 4096 ? 4096 : c);
      }
      e.stub.store(stubs[i], std::memory_order_release);
      g_count.store(id + 1, std::memory_order_release);
      mod->ids.push_back(id);
      napi_value v; napi_create_uint32(env, id, &v); napi_set_element(env, ids, i, v);
    }
    g_modules.push_back(mod);
  }
  napi_value out, mid;
  napi_create_object(env, &out);
  napi_create_uint32(env, static_cast<uint32_t>(g_modules.size() - 1), &mid);
  napi_set_named_property(env, out, "module", mid);
  napi_set_named_property(env, out, "semaphores", view);
  napi_set_named_property(env, out, "ids", ids);
  return out;
}

napi_value Unload(napi_env env, napi_callback_info info) {
  size_t argc = 2; napi_value argv[2]; uint32_t mid = 0;
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  if (napi_get_value_uint32(env, argv[0], &mid) != napi_ok) return nullptr;
  if (argc > 1) napi_detach_arraybuffer(env, argv[1]);  // stale views read as empty, never unmapped memory
  Module* mod = nullptr;
  {
    std::lock_guard<std::mutex> lock(g_mutex);
    if (mid < g_modules.size()) { mod = g_modules[mid]; g_modules[mid] = nullptr; }
    if (mod) for (uint32_t id : mod->ids) Lookup(id)->stub.store(nullptr, std::memory_order_release);
  }
  if (mod) { dlclose(mod->handle); delete mod; }
  return nullptr;
}

thread_local char t_strings[12][4096];

napi_value Fire(napi_env env, napi_callback_info info) {
  size_t argc = 13; napi_value argv[13];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  uint32_t id = 0;
  if (argc < 1 || napi_get_value_uint32(env, argv[0], &id) != napi_ok) return nullptr;
  Entry* e = Lookup(id);
  Stub stub = e ? e->stub.load(std::memory_order_acquire) : nullptr;
  if (!stub) return nullptr;
  int64_t s[12] = {0};
  for (size_t i = 0; i + 1 < argc && i < e->nargs; i++) {
    napi_value v = argv[i + 1];
    napi_valuetype t;
    if (napi_typeof(env, v, &t) != napi_ok) continue;
    if (t == napi_number) napi_get_value_int64(env, v, &s[i]);
    else if (t == napi_bigint) { bool lossless; napi_get_value_bigint_int64(env, v, &s[i], &lossless); }
    else if (t == napi_boolean) { bool b = false; napi_get_value_bool(env, v, &b); s[i] = b; }
    else if (t == napi_string && e->caps[i]) {
      size_t len = 0;
      napi_get_value_string_utf8(env, v, t_strings[i], e->caps[i], &len);
      s[i] = reinterpret_cast<int64_t>(t_strings[i]);
    }
  }
  for (size_t i = 0; i < 12; i++)  // a string slot never carries a bare number: tools would read it as a pointer
    if (e->caps[i] && s[i] != 0 && s[i] != reinterpret_cast<int64_t>(t_strings[i])) s[i] = 0;
  stub(s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8], s[9], s[10], s[11]);
  return nullptr;
}

}  // namespace

// Adds the loader functions to `exports` (called from the module init below, or by the main
// addon's init when this file is linked into it).
extern "C" napi_value SondeDynInit(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"memfd", nullptr, Memfd, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"closeFd", nullptr, CloseFd, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"load", nullptr, Load, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"unload", nullptr, Unload, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"fire", nullptr, Fire, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props);
  return exports;
}

#ifdef SONDE_DYN_STANDALONE
NAPI_MODULE_INIT() { return SondeDynInit(env, exports); }
#endif
