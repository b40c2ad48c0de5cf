// Our own USDT probe-note macros (no <sys/sdt.h>, no systemtap-sdt-dev needed).
// Format, as read by bpftrace/bcc/perf/readelf -n: one ELF note per probe site in the
// non-allocated section .note.stapsdt, owner "stapsdt", type 3, whose descriptor is
//   u64 pc          address of the probe's nop (the uprobe goes there)
//   u64 base        link-time address of .stapsdt.base (tools use it to correct for prelink)
//   u64 semaphore   address of the probe's unsigned short semaphore (0 = none)
//   "provider\0" "name\0" "args\0"
// args is a space-separated list of SIZE@OPERAND (size in bytes, negative = signed), e.g.
// "-4@%edi 8@%rsi". The compiler writes the operand names for us: each arg is an "r" asm
// operand and the spec string contains %N, which GCC replaces with the register it chose
// (sized by the C type of the operand, so an int32_t prints as %edi).
// Semaphores are not here: probe-sites.cc defines them as one array in section .probes, and
// a note points at element IDX. Kernel uprobes (ref_ctr_offset) or bpftrace increment them.
#pragma once

// Emitted once per object (the .ifndef guard): one byte in an allocated section whose address
// the notes record.
#define SONDE_SDT_BASE                                                   \
  ".ifndef _.stapsdt.base\n"                                             \
  ".pushsection .stapsdt.base,\"aG\",\"progbits\",.stapsdt.base,comdat\n" \
  ".weak _.stapsdt.base\n"                                               \
  ".hidden _.stapsdt.base\n"                                             \
  "_.stapsdt.base: .space 1\n"                                           \
  ".size _.stapsdt.base, 1\n"                                            \
  ".popsection\n"                                                        \
  ".endif\n"

// The probe site: a nop plus its note. IDX indexes sonde_semaphores (2 bytes each).
#define SONDE_SDT_NOTE(provider, name, idx, argspec)        \
  "990: nop\n"                                              \
  ".pushsection .note.stapsdt,\"\",\"note\"\n"              \
  ".balign 4\n"                                             \
  ".4byte 992f-991f, 994f-993f, 3\n"                        \
  "991: .asciz \"stapsdt\"\n"                               \
  "992: .balign 4\n"                                        \
  "993: .8byte 990b\n"                                      \
  ".8byte _.stapsdt.base\n"                                 \
  ".8byte sonde_semaphores + " #idx " * 2\n"                \
  ".asciz \"" provider "\"\n"                               \
  ".asciz \"" name "\"\n"                                   \
  ".asciz \"" argspec "\"\n"                                \
  "994: .balign 4\n"                                        \
  ".popsection\n" SONDE_SDT_BASE

// Each probe has exactly one site: a non-inlined function, so `sonde probes --pid` and tools
// see one location per probe, and the optimizer cannot drop the asm (volatile).
#define SONDE_SITE extern "C++" __attribute__((noinline, used))
