/*
 * hello - smallest complete program: newlib printf over semihosting.
 */
#include <stdio.h>

#include "mcusim.h"

static unsigned sum_of_squares(unsigned n)
{
    unsigned sum = 0;
    for (unsigned i = 1; i <= n; i++) {
        sum += i * i;
    }
    return sum;
}

int main(void)
{
    printf("Hello from mcusim on %s\n", mcusim_core_name());

    volatile unsigned n = 100; /* keep the loop at run time */
    printf("sum of squares 1..%u = %u\n", n, sum_of_squares(n));
    return 0;
}
