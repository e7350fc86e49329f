/*
 * fault - reads from an unmapped address and takes a fault.
 *
 * read_sensor() loads from 0x70000000, which no mcusim device maps. There
 * are no fault handlers here, so the fault ends in the default handler's
 * endless loop (BusFault escalated to HardFault on ARMv7-M/ARMv8-M, HardFault
 * on ARMv6-M) and the simulator reports it.
 */
#include <stdint.h>
#include <stdio.h>

#define SENSOR_ADDR 0x70000000u

__attribute__((noinline)) uint32_t read_sensor(void)
{
    volatile uint32_t *reg = (volatile uint32_t *)SENSOR_ADDR;
    return *reg;
}

int main(void)
{
    printf("reading sensor at 0x%08lx\n", (unsigned long)SENSOR_ADDR);
    uint32_t value = read_sensor();
    /* Only reached if the load did not fault. */
    printf("sensor value 0x%08lx\n", (unsigned long)value);
    return 0;
}
