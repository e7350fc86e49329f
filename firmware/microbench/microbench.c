/*
 * microbench - cycle counts of short instruction sequences.
 *
 * Each benchmark is an assembly function (bench_<family>.S, one file per
 * core family) that reads the cycle counter (DWT CYCCNT, or SysTick VAL on
 * ARMv6-M), runs the sequence under test, reads the counter again and
 * returns the difference. The same frame around an empty sequence
 * (`baseline`) is the measurement overhead; the harness prints
 *
 *     microbench: <name> <delta - baseline>
 *
 * for every benchmark of the family's table (and `baseline` itself), then
 * exits 0. Each function is called twice and the second (warm) result is
 * printed, except the flash loop, whose first (cold) and second (warm) calls
 * are both printed, as `flash_loop` and `flash_loop_warm`; it subtracts its
 * own overhead, measured inside the same function.
 *
 * The expected values, with the published figure each comes from, are in
 * tests/microbench/expected-<device>.txt.
 */
#include <stdint.h>
#include <stdio.h>

#include "mcusim.h"

#define MB_F_BASELINE 1u /* the overhead itself */
#define MB_F_NET      2u /* the function subtracts its own overhead */
#define MB_F_COLDWARM 4u /* report the first (cold) and the second (warm) call */

struct mb_entry {
    const char *name;
    uint32_t (*fn)(void);
    uint32_t flags;
};

/* Defined by bench_<family>.S, terminated by an all-zero entry. */
extern const struct mb_entry mb_table[];

static void report(const char *name, const char *suffix, long cycles)
{
    printf("microbench: %s%s %ld\n", name, suffix, cycles);
}

int main(void)
{
    mcusim_cycles_init();
    mcusim_nvic_set_priority(0, 0);
    mcusim_nvic_enable(0); /* IRQ0: the irq_entry benchmark pends it */

    long baseline = 0;
    for (const struct mb_entry *e = mb_table; e->name; e++) {
        uint32_t first = e->fn();
        uint32_t second = e->fn();
        if (e->flags & MB_F_BASELINE) {
            baseline = (long)second;
            report(e->name, "", baseline);
        } else if (e->flags & MB_F_COLDWARM) {
            long off = (e->flags & MB_F_NET) ? 0 : baseline;
            report(e->name, "", (long)first - off);
            report(e->name, "_warm", (long)second - off);
        } else {
            long off = (e->flags & MB_F_NET) ? 0 : baseline;
            report(e->name, "", (long)second - off);
        }
    }
    return 0;
}
