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

/* Last all-digit word of the semihosting command line, e.g. "spinloop 5000". */
static uint32_t parse_reps(void)
{
    char buf[128];
    struct {
        char *ptr;
        uint32_t len;
    } block = {buf, sizeof buf - 1};

    if (mcusim_semihost(MCUSIM_SYS_GET_CMDLINE, &block) != 0) {
        return DEFAULT_REPS;
    }
    if (block.len > sizeof buf - 1) {
        block.len = sizeof buf - 1;
    }
    buf[block.len] = '\0';

    uint32_t reps = DEFAULT_REPS;
    const char *p = buf;
    while (*p) {
        while (*p == ' ' || *p == '\t') {
            p++;
        }
        const char *word = p;
        uint32_t value = 0;
        int digits_only = 1;
        while (*p && *p != ' ' && *p != '\t') {
            if (*p >= '0' && *p <= '9') {
                value = value * 10u + (uint32_t)(*p - '0');
            } else {
                digits_only = 0;
            }
            p++;
        }
        if (p != word && digits_only) {
            reps = value;
        }
    }
    return reps;
}

int main(void)
{
    uint32_t reps = parse_reps();
    volatile uint32_t counter = 0;

    for (uint32_t r = 0; r < reps; r++) {
        counter++;
    }

    printf("spinloop: reps=%lu checksum=0x%08lx\n", (unsigned long)reps, (unsigned long)counter);
    return 0;
}
