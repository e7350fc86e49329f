/*
 * bench_v7m.S - microbenchmarks for the ARMv7-M family (Cortex-M3): no FPU.
 * The counter is DWT CYCCNT (0xE0001004), enabled by mcusim_cycles_init().
 */
#define MB_SYSTICK 0
#define MB_HAS_FPU 0
#include "bench_common.inc"
#include "bench_v7_extra.inc"

MB_TABLE_BEGIN
    MB_ENTRY baseline, MB_F_BASELINE
    MB_ENTRY irq_entry
    MB_ENTRY ldr_ldr
    MB_ENTRY ldr_ldr_ldr
    MB_ENTRY ldr_str
    MB_ENTRY ldr_dep
    MB_ENTRY alu4
    MB_ENTRY mul
    MB_ENTRY mla
    MB_ENTRY smull
    MB_ENTRY smlal
    MB_ENTRY udiv_small
    MB_ENTRY udiv_large
    MB_ENTRY sdiv
    MB_ENTRY branch_taken
    MB_ENTRY branch_not_taken
    MB_ENTRY bl_bx
    MB_ENTRY push_pop
    MB_ENTRY flash_loop, (MB_F_NET|MB_F_COLDWARM)
    MB_ENTRY bracket_plain, MB_F_NET
    MB_ENTRY bracket_after_ldr_ldr, MB_F_NET
    MB_ENTRY bracket_after_mul, MB_F_NET
    MB_ENTRY bracket_repeat, MB_F_NET
    MB_ENTRY bracket_after_div, MB_F_NET
    MB_ENTRY bracket_over_div, MB_F_NET
MB_TABLE_END
