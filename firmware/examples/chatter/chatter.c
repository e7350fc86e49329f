/*
 * chatter - prints numbered lines forever. Used to test a run whose output
 * is closed by its reader (`mcusim run chatter.elf | head -n 1`).
 */
#include <stdio.h>

int main(void)
{
    for (unsigned long n = 1;; n++) {
        printf("line %lu\n", n);
    }
}
