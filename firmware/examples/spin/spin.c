/*
 * spin - never exits. Used to exercise instruction and time limits.
 */
#include <stdint.h>
#include <stdio.h>

int main(void)
{
    volatile uint32_t counter = 0;

    printf("spinning\n");
    for (;;) {
        counter++;
    }
}
