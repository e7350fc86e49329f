/*
 * divzero - integer division by zero with the divide-by-zero trap enabled.
 *
 * Sets CCR.DIV_0_TRP, then executes UDIV with a zero divisor. There is no
 * UsageFault handler here and UsageFault is not enabled, so the fault
 * escalates to HardFault and ends in the default handler's endless loop;
 * the simulator reports it. ARMv7-M and later only (ARMv6-M has no divide
 * instruction).
 */
#include <stdint.h>
#include <stdio.h>

#include "mcusim_regs.h"

#if defined(__ARM_ARCH_6M__)
#error "divzero needs a hardware divider (ARMv7-M or later)"
#endif

__attribute__((noinline)) static uint32_t divide(uint32_t a, uint32_t b)
{
    return a / b;
}

int main(void)
{
    volatile uint32_t zero = 0;

    SCB_CCR |= SCB_CCR_DIV_0_TRP;
    mcusim_dsb();
    mcusim_isb();

    printf("dividing by zero\n");
    uint32_t q = divide(1000u, zero);
    /* Only reached if the division did not trap. */
    printf("quotient %lu\n", (unsigned long)q);
    return 0;
}
