/*
 * bench_v6m.S - microbenchmarks for the ARMv6-M family (Cortex-M0+).
 *
 * ARMv6-M has no DWT cycle counter: the counter is SysTick, free-running
 * from the processor clock (LOAD = 0xFFFFFF, VAL = 0, CTRL = 5, set by
 * mcusim_cycles_init()), read at SYST_CVR (0xE000E018). It counts down, so
 * each benchmark returns (A - B) mod 2^24. No divide, no long multiplies,
 * no FPU.
 */
#define MB_SYSTICK 1
#define MB_HAS_FPU 0
#include "bench_common.inc"

/* MULS (fast single-cycle multiplier option on the STM32G0). */
MB_FUNC muls
    movs r5, #3
    movs r6, #5
    MB_BEGIN
    muls r5, r6, r5
    MB_END
MB_ENDFUNC muls

MB_TABLE_BEGIN
    MB_ENTRY baseline, MB_F_BASELINE
    MB_ENTRY irq_entry
    MB_ENTRY ldr_ldr
    MB_ENTRY ldr_ldr_ldr
    MB_ENTRY ldr_str
    MB_ENTRY ldr_dep
    MB_ENTRY alu4
    MB_ENTRY muls
    MB_ENTRY branch_taken
    MB_ENTRY branch_not_taken
    MB_ENTRY bl_bx
    MB_ENTRY push_pop
    MB_ENTRY flash_loop, (MB_F_NET|MB_F_COLDWARM)
    MB_ENTRY bracket_plain, MB_F_NET
    MB_ENTRY bracket_after_ldr_ldr, MB_F_NET
    MB_ENTRY bracket_after_mul, MB_F_NET
    MB_ENTRY bracket_repeat, MB_F_NET
MB_TABLE_END
