// Per-environment (main thread, each worker) state of the addon: the addon is context-aware
// (NAPI_MODULE_INIT), so each env gets its own instance, GC callbacks and cleanup.
#pragma once
#include <node_api.h>
#include <v8.h>
#include "probes.gen.h"

struct GcState;
struct AllocState;

struct EnvState {
  napi_env env = nullptr;
  v8::Isolate* isolate = nullptr;
  SondeFireBuffers bufs;  // string args of JS fires and native alloc__sample fires
  GcState* gc = nullptr;
  AllocState* alloc = nullptr;
};

// Helper to register a native function on exports with the env state as its data.
bool sonde_export_fn(napi_env env, napi_value exports, const char* name, napi_callback cb, void* data);

// gc-hook.cc
void sonde_gc_init(EnvState* s, napi_value exports);
void sonde_gc_teardown(EnvState* s);
// alloc-sampler.cc
void sonde_alloc_init(EnvState* s, napi_value exports);
void sonde_alloc_teardown(EnvState* s);
