// Converting JS fire arguments to the fixed C types of a probe. Run time never throws:
// a wrong type or a wrong argument count is coerced (to 0 / "") and counted in sonde_faults.
#pragma once
#include <node_api.h>
#include <stdint.h>
#include <atomic>

extern std::atomic<uint64_t> sonde_faults;
inline void sonde_fault() { sonde_faults.fetch_add(1, std::memory_order_relaxed); }

// number (truncated toward 0, saturated), bigint (low 64 bits), boolean; else 0 + fault.
int64_t sonde_arg_int(napi_env env, napi_value v);
uint64_t sonde_arg_uint(napi_env env, napi_value v);
// string copied into buf (SONDE_STRING_ARG_MAX bytes, NUL-terminated, cut at a UTF-8
// character boundary); number/bigint/boolean are converted; anything else → "" + fault.
const char* sonde_arg_str(napi_env env, napi_value v, char* buf);
