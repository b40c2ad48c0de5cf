// The probe sites (generated from the catalogue) and the semaphore array they point at.
#define SONDE_PROBES_SITES
#include "probes.gen.h"

// One contiguous array so JS maps all of them as one Uint16Array (napi external arraybuffer).
// Written by the kernel (uprobe ref_ctr_offset) or by the tracer through /proc/PID/mem.
extern "C" {
__attribute__((section(".probes"), used, visibility("hidden")))
volatile unsigned short sonde_semaphores[SONDE_PROBE_COUNT] = {};
}

// Baseline for bench/probe-cost: an empty native function a bare uprobe can be put on. Written
// in asm so its first instruction is a nop, like a probe site (a compiled function would start
// with push %rbp, which the kernel cannot skip as cheaply as a nop when the uprobe hits).
__asm__(".text\n"
        ".globl sonde_bench_empty\n"
        ".hidden sonde_bench_empty\n"
        ".type sonde_bench_empty, @function\n"
        "sonde_bench_empty:\n"
        "  nop\n"
        "  ret\n"
        ".size sonde_bench_empty, . - sonde_bench_empty\n");
