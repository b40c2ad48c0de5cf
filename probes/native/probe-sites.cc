// The probe sites (generated from the catalogue) and the semaphore array they point at.
#define SONDE_PROBES_SITES
#include "probes.gen.h"

// One contiguous array so JS maps all of them as one Uint16Array (napi external arraybuffer).
// Written by the kernel (uprobe ref_ctr_offset) or by the tracer through /proc/PID/mem.
extern "C" {
__attribute__((section(".probes"), used, visibility("hidden")))
volatile unsigned short sonde_semaphores[SONDE_PROBE_COUNT] = {};
}

// Baseline for bench/probe-cost: an empty native function a bare uprobe can be put on.
extern "C" __attribute__((noinline, used)) void sonde_bench_empty(void) { __asm__ __volatile__("" ::: "memory"); }
