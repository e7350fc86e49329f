/*
 * clock_common.h - what the per-family bring-ups (clock_f4.c, clock_g0.c,
 * clock_u5.c, clock_h7.c) share: polling a ready flag the way HAL does (with
 * a count of the polls), the command line's mode, and a loop timed with the
 * core's cycle counter (DWT CYCCNT; SysTick on ARMv6-M).
 *
 *   clock_<family>          the bring-up (exit 0 when the PLL clock is reached)
 *   clock_<family> loops    the loop's cycles at the reset clock, then at the PLL clock
 *   clock_<family> badws    the same bring-up with too few flash wait states
 */
#ifndef CLOCK_COMMON_H
#define CLOCK_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "mcusim.h"

static unsigned long spins; /* polls of ready flags, over the whole bring-up */

#define WAIT_UNTIL(cond)  \
    do {                  \
        while (!(cond)) { \
            spins++;      \
        }                 \
    } while (0)

/* The mode: the command line's first argument ("" when none). */
static const char *clock_mode(void)
{
    static char cmdline[128];
    mcusim_cmdline(cmdline, sizeof cmdline);
    const char *arg = strchr(cmdline, ' ');
    return arg ? arg + 1 : "";
}

#if defined(__ARM_ARCH_6M__)
#define CLOCK_ASM_UNIFIED ".syntax unified\n" /* GCC wraps Thumb-1 inline assembly in divided syntax */
#define CLOCK_ASM_DIVIDED ".syntax divided\n"
#else
#define CLOCK_ASM_UNIFIED
#define CLOCK_ASM_DIVIDED
#endif

/* Cycles of `n` iterations of a SUBS/BNE loop aligned to 8 bytes (one flash
 * line: the iterations after the first are one block each). */
__attribute__((noinline)) static uint32_t timed_loop(uint32_t n)
{
    uint32_t t0 = mcusim_cycles();
    __asm volatile(CLOCK_ASM_UNIFIED
                   "  .balign 8\n"
                   "1: subs %0, %0, #1\n"
                   "  bne 1b\n" CLOCK_ASM_DIVIDED
                   : "+l"(n)
                   :
                   : "cc", "memory");
    uint32_t t1 = mcusim_cycles();
#if defined(__ARM_ARCH_6M__)
    return (t1 - t0) & 0x00FFFFFFu;
#else
    return t1 - t0;
#endif
}

/* Cycles of 100 and of 1100 iterations; their difference / 1000 is the cost of one. */
static void print_loop(const char *when)
{
    uint32_t a = timed_loop(100), b = timed_loop(1100);
    printf("loop %s: 100 iterations %lu cycles, 1100 iterations %lu cycles, %lu per iteration\n", when, (unsigned long)a,
           (unsigned long)b, (unsigned long)(b - a) / 1000UL);
}

/* HAL's AHB prescaler table (HPRE / D1CPRE: 0xxx /1, 1000 /2 ... 1111 /512) as a shift. */
static unsigned long ahb_shift(unsigned long field)
{
    static const unsigned char shift[16] = {0, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4, 6, 7, 8, 9};
    return shift[field & 0xFUL];
}

/* One family's bring-up as main() runs it: the loop at the reset clock (mode
 * "loops"), SystemClock_Config with the PLL's latency (or a too-small one in
 * mode "badws"), the loop at the PLL clock, then SystemCoreClock and the
 * supply settings. Exit 0 when the core runs at `target_hz`. The family's
 * register header (FLASH, FLASH_ACR_LATENCY_Msk) comes before this one. */
struct clock_bringup {
    const char *at_reset, *at_pll;         /* the loops' labels: "at HSI 16 MHz, latency 0" */
    unsigned long latency, bad_latency;    /* FLASH_ACR.LATENCY for the PLL clock, and a too-small one */
    unsigned long target_hz;
    void (*init)(void);                    /* SystemInit and HAL_Init */
    void (*config)(unsigned long latency); /* SystemClock_Config */
    unsigned long (*core_clock)(void);     /* SystemCoreClock from the registers */
    void (*print_supply)(void);            /* the voltage scaling, ending the report's line */
};

static int run_bringup(const struct clock_bringup *b)
{
    const char *mode = clock_mode();
    const int loops = strcmp(mode, "loops") == 0;
    b->init();
    if (loops) {
        mcusim_cycles_init();
        print_loop(b->at_reset);
    }
    b->config(strcmp(mode, "badws") == 0 ? b->bad_latency : b->latency);
    if (loops) print_loop(b->at_pll);
    printf("SystemCoreClock %lu Hz (FLASH latency %lu, ", b->core_clock(), FLASH->ACR & FLASH_ACR_LATENCY_Msk);
    b->print_supply();
    printf(")\nready flags polled %lu times\n", spins);
    return b->core_clock() == b->target_hz ? 0 : 1;
}

#endif
