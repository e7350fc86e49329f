/*
 * spinloop - the loop of examples/spin, bounded, for the speed benchmark.
 *
 * Increments a volatile counter on the stack REPS times (one load and one
 * store to the stack per iteration, as spin does forever), then prints the
 * count and exits 0. Nearly every instruction it runs is in that loop, so it
 * measures the cost of a guest store to RAM.
 *
 * Usage (semihosting command line): spinloop [REPS]   (default 10000000)
 * Prints "spinloop: reps=R checksum=0x%08x".
 */
#include <stdint.h>
#include <stdio.h>

#include "mcusim.h"

#define DEFAULT_REPS 10000000u


int main(void)
{
    uint32_t reps = mcusim_cmdline_number(DEFAULT_REPS);
    volatile uint32_t counter = 0;

    for (uint32_t r = 0; r < reps; r++) {
        counter++;
    }

    printf("spinloop: reps=%lu checksum=0x%08lx\n", (unsigned long)reps, (unsigned long)counter);
    return 0;
}
