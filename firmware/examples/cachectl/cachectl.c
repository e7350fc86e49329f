/*
 * cachectl - the flash interface's instruction cache and prefetch buffer
 * switched by the firmware's own FLASH_ACR writes, and a loop in flash timed
 * with DWT CYCCNT under each setting (docs/peripherals.md, "The clock").
 * STM32L4R5 (RM0432 §3.7.1) and STM32F407 (RM0090 §3.9.1): PRFTEN bit 8,
 * ICEN bit 9, DCEN bit 10 at the same places. The core stays on its reset
 * clock (MSI 4 MHz / HSI 16 MHz); FLASH_ACR.LATENCY is set to 2 wait states,
 * more than that clock needs, which the hardware allows.
 *
 *   cachectl           icache on, off, on again (one-line loop), then prefetch on and off
 *                      with the cache off (a loop body over several flash lines)
 *   cachectl range2    (L4R5) PWR_CR1.VOS = Range 2, then a loop: the energy model's mode follows
 *
 * On the STM32H7A3 (Cortex-M7, CACHECTL_M7) the L1 instruction cache is
 * switched instead, by SCB->CCR.IC (bit 17; DC is bit 16), at the device's
 * default clock and wait states; the prefetch part is left out (its
 * FLASH_ACR has no such bits).
 */
#include <stdio.h>
#include <string.h>

#include "mcusim.h"
#include "mcusim_regs.h"

#if defined(CACHECTL_M7)
#define FLASH_ACR SCB_CCR /* printed only: the register holding the enables */
#define ENABLES_NAME "CCR"
#elif defined(CACHECTL_F4)
#define ENABLES_NAME "ACR"
#define FLASH_ACR (*(volatile uint32_t *)0x40023C00UL) /* RM0090 §3.9.1, FLASH base §2.3 */
#else
#define ENABLES_NAME "ACR"
#define FLASH_ACR (*(volatile uint32_t *)0x40022000UL) /* RM0432 §3.7.1, FLASH base §2.2.2 */
#define PWR_CR1   (*(volatile uint32_t *)0x40007000UL) /* RM0432 §5.4.1 */
#define PWR_SR2   (*(volatile uint32_t *)0x40007014UL) /* RM0432 §5.4.6 */
#endif
#define ACR_LATENCY_Msk 0x7UL
#define ACR_PRFTEN (1UL << 8)
#define ACR_ICEN   (1UL << 9)
#define ACR_DCEN   (1UL << 10)

/* DWT cycles of `n` iterations of SUBS/BNE in one flash line (8-byte aligned:
 * the iterations after the first are one block each, from one line). */
__attribute__((noinline)) static uint32_t short_loop(uint32_t n)
{
    uint32_t t0, t1;
    volatile uint32_t *cyccnt = &DWT_CYCCNT;
    __asm volatile("ldr %0, [%3]\n"
                   "  .balign 8\n"
                   "1: subs %2, %2, #1\n"
                   "  bne 1b\n"
                   "  ldr %1, [%3]\n"
                   : "=&l"(t0), "=&l"(t1), "+l"(n)
                   : "l"(cyccnt)
                   : "cc", "memory");
    return t1 - t0;
}

/* The same with 16 NOPs before SUBS/BNE: a 36-byte block from a 32-byte
 * aligned start, over 5 lines of 8 bytes (L4R5) or 3 of 16 bytes (F407). */
__attribute__((noinline, unused)) static uint32_t long_loop(uint32_t n)
{
    uint32_t t0, t1;
    volatile uint32_t *cyccnt = &DWT_CYCCNT;
    __asm volatile("ldr %0, [%3]\n"
                   "  .balign 32\n"
                   "1: nop\n nop\n nop\n nop\n nop\n nop\n nop\n nop\n"
                   "  nop\n nop\n nop\n nop\n nop\n nop\n nop\n nop\n"
                   "  subs %2, %2, #1\n"
                   "  bne 1b\n"
                   "  ldr %1, [%3]\n"
                   : "=&l"(t0), "=&l"(t1), "+l"(n)
                   : "l"(cyccnt)
                   : "cc", "memory");
    return t1 - t0;
}

/* Cycles of 100 and of 1100 iterations: their difference / 1000 is one
 * iteration, without the calls' own cost and first-time misses. */
static void print_loop(const char *what, uint32_t (*loop)(uint32_t))
{
    uint32_t a = loop(100), b = loop(1100);
    printf("%s: %lu per iteration (" ENABLES_NAME " %08lx)\n", what, (unsigned long)(b - a) / 1000UL, (unsigned long)FLASH_ACR);
}

int main(void)
{
    char cmdline[128] = "";
    mcusim_cmdline(cmdline, sizeof cmdline);
    const char *arg = strchr(cmdline, ' ');
    arg = arg ? arg + 1 : "";
    mcusim_cycles_init();

#if !defined(CACHECTL_F4) && !defined(CACHECTL_M7)
    if (strcmp(arg, "range2") == 0) {
        PWR_CR1 = (PWR_CR1 & ~(3UL << 9)) | (2UL << 9); /* VOS = 10: Range 2 (up to 26 MHz) */
        while (PWR_SR2 & (1UL << 10)) {                 /* VOSF */
        }
        print_loop("range2 short loop", short_loop);
        return 0;
    }
#endif
#if defined(CACHECTL_M7)
    (void)arg;
    SCB_CCR |= (1UL << 17) | (1UL << 16); /* IC, DC on */
    print_loop("icache on", short_loop);
    SCB_CCR &= ~((1UL << 17) | (1UL << 16));
    print_loop("icache off", short_loop);
    SCB_CCR |= (1UL << 17) | (1UL << 16);
    print_loop("icache on again", short_loop);
    return 0;
#else
    /* 2 wait states, the enables as the reset left them. */
    FLASH_ACR = (FLASH_ACR & ~ACR_LATENCY_Msk) | 2UL;
    /* ICEN and DCEN on (the F4's reset has them off; the L4's on). */
    FLASH_ACR |= ACR_ICEN | ACR_DCEN;
    print_loop("icache on", short_loop);
    FLASH_ACR &= ~(ACR_ICEN | ACR_DCEN);
    print_loop("icache off", short_loop);
    FLASH_ACR |= ACR_ICEN | ACR_DCEN;
    print_loop("icache on again", short_loop);

    FLASH_ACR &= ~(ACR_ICEN | ACR_DCEN);
    FLASH_ACR |= ACR_PRFTEN;
    print_loop("prefetch on, icache off", long_loop);
    FLASH_ACR &= ~ACR_PRFTEN;
    print_loop("prefetch off, icache off", long_loop);
    return 0;
#endif
}
