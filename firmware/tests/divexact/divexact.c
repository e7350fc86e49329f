/*
 * divexact - divides priced from the operands they see on every execution
 * (see divloop.S). Prints
 *
 *     divexact: base <cycles>
 *     divexact: mul <cycles>      (n = 300, k = 1000003)
 *     divexact: table <cycles>    (n = 300, k = 1000003, the divisors below)
 *
 * tests/unit/test_divexact.cpp holds the same constants.
 */
#include <stdint.h>
#include <stdio.h>

#include "mcusim.h"

uint32_t dx_base(void);
uint32_t dx_mul(uint32_t n, uint32_t k);
uint32_t dx_table(uint32_t n, uint32_t k, const uint32_t *table);

/* In RAM (.data): the divisors the table loop loads. */
uint32_t dx_divisors[16] = {1, 3, 7, 10, 100, 255, 1000, 65535, 2, 5, 9, 17, 33, 4097, 12345, 1000003};

int main(void)
{
    mcusim_cycles_init();
    const uint32_t n = 300, k = 1000003;
    (void)dx_base();
    printf("divexact: base %lu\n", (unsigned long)dx_base());
    printf("divexact: mul %lu\n", (unsigned long)dx_mul(n, k));
    printf("divexact: table %lu\n", (unsigned long)dx_table(n, k, dx_divisors));
    return 0;
}
