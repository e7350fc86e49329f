/*
 * clock_h7 - the STM32H7A3 bring-up of clock_h7.h to 280 MHz, on its own.
 * Modes: see clock_common.h.
 */
#include "clock_h7.h"

int main(void)
{
    return run_bringup(&h7_bringup);
}
