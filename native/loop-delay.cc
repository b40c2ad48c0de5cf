// Event-loop delay, sampled natively for the event-loop collector: an unref'd libuv timer runs
// every `resolution` ms and stores how late it ran beyond its period (ns, uv_hrtime between two
// runs minus the period, at least 0) in a ring of doubles that JS reads once per interval:
//   loopDelayStart(resolutionMs) -> Float64Array  cells[0] = samples written so far,
//                                                 cells[1 + i % kLoopRing] = sample i
//   loopDelayStop()
//   loopIdleNs() -> number   libuv's idle time of this env's loop (time spent waiting in the poll
//                            phase, uv_metrics_idle_time; Node configures every loop to keep it):
//                            what performance.eventLoopUtilization() reads, without loading perf_hooks
// The same samples perf_hooks.monitorEventLoopDelay takes (a timer of the same period), without
// its HDR histogram, whose percentile walk and reset cost ~1 M instructions per read: JS records
// each sample into its own histogram (count, min and max exact). One sampler per env; a second
// start returns the same cells. The cells live in a V8 ArrayBuffer held for the env's life.
#include <uv.h>
#include "env-state.h"

static const int kLoopRing = 1024;

struct LoopDelayState {
  uv_timer_t timer;
  double* cells = nullptr;
  napi_ref cellsRef = nullptr;
  uint64_t periodNs = 0;
  uint64_t last = 0;
  bool running = false;
};

static void OnTimer(uv_timer_t* t) {
  LoopDelayState* d = static_cast<LoopDelayState*>(t->data);
  uint64_t now = uv_hrtime();
  if (d->last != 0) {
    uint64_t dt = now - d->last;
    uint64_t n = static_cast<uint64_t>(d->cells[0]);
    d->cells[1 + n % kLoopRing] = dt > d->periodNs ? static_cast<double>(dt - d->periodNs) : 0.0;
    d->cells[0] = static_cast<double>(n + 1);
  }
  d->last = now;
}

static napi_value Start(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1], out = nullptr;
  void* data;
  napi_get_cb_info(env, info, &argc, argv, nullptr, &data);
  EnvState* s = static_cast<EnvState*>(data);
  double ms = 10;
  if (argc >= 1) napi_get_value_double(env, argv[0], &ms);
  if (!(ms >= 1 && ms <= 60000)) ms = 10;
  LoopDelayState* d = s->loop;
  if (d == nullptr) {
    uv_loop_t* loop = nullptr;
    napi_value ab;
    void* raw = nullptr;
    if (napi_get_uv_event_loop(env, &loop) != napi_ok || loop == nullptr) return nullptr;
    if (napi_create_arraybuffer(env, (1 + kLoopRing) * sizeof(double), &raw, &ab) != napi_ok) return nullptr;
    d = new LoopDelayState();
    if (napi_create_reference(env, ab, 1, &d->cellsRef) != napi_ok) { delete d; return nullptr; }
    d->cells = static_cast<double*>(raw);
    for (int i = 0; i <= kLoopRing; i++) d->cells[i] = 0;
    uv_timer_init(loop, &d->timer);
    d->timer.data = d;
    uv_unref(reinterpret_cast<uv_handle_t*>(&d->timer));
    s->loop = d;
  }
  if (!d->running) {
    d->periodNs = static_cast<uint64_t>(ms * 1e6);
    d->last = 0;
    uint64_t every = static_cast<uint64_t>(ms);
    uv_timer_start(&d->timer, OnTimer, every, every);
    d->running = true;
  }
  napi_value ab;
  if (napi_get_reference_value(env, d->cellsRef, &ab) != napi_ok ||
      napi_create_typedarray(env, napi_float64_array, 1 + kLoopRing, ab, 0, &out) != napi_ok) return nullptr;
  return out;
}

static napi_value Stop(napi_env env, napi_callback_info info) {
  void* data;
  napi_get_cb_info(env, info, nullptr, nullptr, nullptr, &data);
  LoopDelayState* d = static_cast<EnvState*>(data)->loop;
  if (d != nullptr && d->running) { uv_timer_stop(&d->timer); d->running = false; }
  return nullptr;
}

static napi_value IdleNs(napi_env env, napi_callback_info info) {
  uv_loop_t* loop = nullptr;
  napi_value out = nullptr;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok || loop == nullptr) return nullptr;
  napi_create_double(env, static_cast<double>(uv_metrics_idle_time(loop)), &out);
  return out;
}

void sonde_loop_delay_init(EnvState* s, napi_value exports) {
  sonde_export_fn(s->env, exports, "loopIdleNs", IdleNs, s);
  sonde_export_fn(s->env, exports, "loopDelayStart", Start, s);
  sonde_export_fn(s->env, exports, "loopDelayStop", Stop, s);
}

// The env is going away: stop the timer and free the state once libuv has closed the handle
// (the cells' ArrayBuffer goes with the env).
void sonde_loop_delay_teardown(EnvState* s) {
  LoopDelayState* d = s->loop;
  if (d == nullptr) return;
  s->loop = nullptr;
  uv_timer_stop(&d->timer);
  uv_close(reinterpret_cast<uv_handle_t*>(&d->timer), [](uv_handle_t* h) { delete static_cast<LoopDelayState*>(h->data); });
}
