/* Turns the FPU off (CPACR) and then uses it: on hardware the first
 * floating-point instruction raises a NOCP UsageFault. No handler of its own,
 * so the fault escalates to HardFault and the default handler spins. */
#include <stdio.h>

#include "mcusim_regs.h"

__attribute__((noinline)) static float scale(volatile float *x) { return *x * 1.5f; }

int main(void) {
  printf("disabling the FPU, then using it\n");
  *(volatile unsigned *)0xE000ED88 &= ~(0xFu << 20);
  __asm volatile("dsb\n\tisb" ::: "memory");
  volatile float x = 2.0f;
  volatile float y = scale(&x);
  (void)y;
  printf("no fault\n");
  return 0;
}
