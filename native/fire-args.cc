// See fire-args.h. No JS is ever run from here (objects are not coerced: their toString
// could throw or re-enter), and nothing is allocated except the napi string for primitives.
#include "fire-args.h"
#include <math.h>
#include "probes.gen.h"

std::atomic<uint64_t> sonde_faults{0};

static bool number_or_bool(napi_env env, napi_value v, napi_valuetype t, double* out) {
  if (t == napi_number) return napi_get_value_double(env, v, out) == napi_ok;
  if (t == napi_boolean) {
    bool b = false;
    if (napi_get_value_bool(env, v, &b) != napi_ok) return false;
    *out = b ? 1 : 0;
    return true;
  }
  return false;
}

static inline int64_t from_double_i(double d) {
  if (isnan(d)) return 0;
  if (d >= 9223372036854775807.0) return INT64_MAX;
  if (d <= -9223372036854775808.0) return INT64_MIN;
  return static_cast<int64_t>(d);
}

int64_t sonde_arg_int(napi_env env, napi_value v) {
  double d = 0;
  if (v != nullptr && napi_get_value_double(env, v, &d) == napi_ok) return from_double_i(d);  // fast path: one call
  napi_valuetype t = napi_undefined;
  if (v == nullptr || napi_typeof(env, v, &t) != napi_ok) { sonde_fault(); return 0; }
  if (t == napi_bigint) {
    int64_t r = 0; bool lossless = false;
    if (napi_get_value_bigint_int64(env, v, &r, &lossless) != napi_ok) { sonde_fault(); return 0; }
    return r;  // low 64 bits: a u64 given as bigint passes through unchanged
  }
  if (!number_or_bool(env, v, t, &d)) { sonde_fault(); return 0; }
  return from_double_i(d);
}

static inline uint64_t from_double_u(double d) {
  if (isnan(d)) return 0;
  if (d < 0) return static_cast<uint64_t>(from_double_i(d));  // -1 → 0xffff...: the bit pattern
  if (d >= 18446744073709551615.0) return UINT64_MAX;
  return static_cast<uint64_t>(d);
}

uint64_t sonde_arg_uint(napi_env env, napi_value v) {
  double d = 0;
  if (v != nullptr && napi_get_value_double(env, v, &d) == napi_ok) return from_double_u(d);
  napi_valuetype t = napi_undefined;
  if (v == nullptr || napi_typeof(env, v, &t) != napi_ok) { sonde_fault(); return 0; }
  if (t == napi_bigint) {
    uint64_t r = 0; bool lossless = false;
    if (napi_get_value_bigint_uint64(env, v, &r, &lossless) != napi_ok) { sonde_fault(); return 0; }
    return r;
  }
  if (!number_or_bool(env, v, t, &d)) { sonde_fault(); return 0; }
  return from_double_u(d);
}

const char* sonde_arg_str(napi_env env, napi_value v, char* buf) {
  buf[0] = 0;
  size_t len = 0;
  if (v != nullptr && napi_get_value_string_utf8(env, v, buf, SONDE_STRING_ARG_MAX, &len) == napi_ok) return buf;  // fast path
  buf[0] = 0;
  napi_valuetype t = napi_undefined;
  if (v == nullptr || napi_typeof(env, v, &t) != napi_ok) { sonde_fault(); return buf; }
  napi_value s = v;
  if (t == napi_number || t == napi_bigint || t == napi_boolean) {
    if (napi_coerce_to_string(env, v, &s) != napi_ok) { sonde_fault(); return buf; }
  } else if (t != napi_string) {
    sonde_fault();
    return buf;
  }
  if (napi_get_value_string_utf8(env, s, buf, SONDE_STRING_ARG_MAX, &len) != napi_ok) { sonde_fault(); buf[0] = 0; }
  return buf;
}
