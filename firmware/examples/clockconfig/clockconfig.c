/*
 * clockconfig - a SystemClock_Config-style bring-up of the STM32L4R5 to
 * 120 MHz, at register level as ST's HAL does it (RM0432 §6.2, §5.1.8,
 * §3.3.3): from the reset clock (MSI 4 MHz) to HSI16, then the main PLL
 * from HSI16 (/2 x30 /2 = 120 MHz) in voltage Range 1 boost mode with 5
 * flash wait states, waiting on every ready flag. Prints the SYSCLK the
 * registers now select, computed from them.
 *
 *   clockconfig          the bring-up (exit 0)
 *   clockconfig probe    then reads and writes registers no model handles
 *   clockconfig gap      then uses peripheral space with no block (beside RCC, GPIOA)
 *   clockconfig loops    DWT cycles of one loop in flash at the reset clock
 *                        (MSI 4 MHz, latency 0) and again at 120 MHz (latency 5)
 *   clockconfig badws    the same bring-up with FLASH latency 2 (too few for 120 MHz)
 */
#include <stdio.h>
#include <string.h>

#include "mcusim.h"
#include "stm32l4r5_regs.h"

static unsigned long spins; /* polls of ready flags, over the whole bring-up */

#define WAIT_UNTIL(cond)       \
    do {                       \
        while (!(cond)) {      \
            spins++;           \
        }                      \
    } while (0)

static void system_clock_config(unsigned long latency)
{
    /* Power: the PWR clock, Range 1, then boost (R1MODE = 0) for 120 MHz. */
    RCC->APB1ENR1 |= RCC_APB1ENR1_PWREN;
    (void)RCC->APB1ENR1; /* the enable takes effect after a read-back, as ST's macro does */
    PWR->CR1 = (PWR->CR1 & ~PWR_CR1_VOS_Msk) | PWR_CR1_VOS_RANGE1;
    WAIT_UNTIL((PWR->SR2 & PWR_SR2_VOSF) == 0);
    PWR->CR5 &= ~PWR_CR5_R1MODE;

    /* HSI16 on, then the system clock from HSI16. */
    RCC->CR |= RCC_CR_HSION;
    WAIT_UNTIL(RCC->CR & RCC_CR_HSIRDY);
    RCC->CFGR = (RCC->CFGR & ~RCC_CFGR_SW_Msk) | RCC_CFGR_SW_HSI;
    WAIT_UNTIL((RCC->CFGR & RCC_CFGR_SWS_Msk) == RCC_CFGR_SWS_HSI);

    /* Main PLL: HSI16 / 2 = 8 MHz, x30 = 240 MHz VCO, /2 = 120 MHz on R. */
    RCC->CR &= ~RCC_CR_PLLON;
    WAIT_UNTIL((RCC->CR & RCC_CR_PLLRDY) == 0);
    RCC->PLLCFGR = RCC_PLLCFGR_PLLSRC_HSI | (1UL << RCC_PLLCFGR_PLLM_Pos) | (30UL << RCC_PLLCFGR_PLLN_Pos) |
                   (0UL << RCC_PLLCFGR_PLLR_Pos) | RCC_PLLCFGR_PLLREN;
    RCC->CR |= RCC_CR_PLLON;
    WAIT_UNTIL(RCC->CR & RCC_CR_PLLRDY);

    /* Flash latency first (raising the clock), read back until it holds. */
    FLASH->ACR = (FLASH->ACR & ~FLASH_ACR_LATENCY_Msk) | latency;
    WAIT_UNTIL((FLASH->ACR & FLASH_ACR_LATENCY_Msk) == latency);

    /* Above 80 MHz: AHB /2 across the switch, then /1 (RM0432 §6.2.7). */
    RCC->CFGR = (RCC->CFGR & ~RCC_CFGR_HPRE_Msk) | RCC_CFGR_HPRE_DIV2;
    RCC->CFGR = (RCC->CFGR & ~RCC_CFGR_SW_Msk) | RCC_CFGR_SW_PLL;
    WAIT_UNTIL((RCC->CFGR & RCC_CFGR_SWS_Msk) == RCC_CFGR_SWS_PLL);
    for (volatile int i = 0; i < 100; i++) { /* at least 1 us at 120 MHz / 2 */
    }
    RCC->CFGR &= ~RCC_CFGR_HPRE_Msk;

    /* MSI no longer needed. */
    RCC->CR &= ~RCC_CR_MSION;
}

/* The CMSIS SystemInit of the STM32L4: MSI on, the reset clock configuration
 * restored (RM0432 §6.4.1, §6.4.3). */
static void system_init(void)
{
    RCC->CR |= RCC_CR_MSION;
    RCC->CFGR = 0;
}

/* DWT cycles of `n` iterations of a SUBS/BNE loop that sits in one 8-byte
 * flash line (the iterations after the first are one block each). */
__attribute__((noinline)) static uint32_t timed_loop(uint32_t n)
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

/* Cycles of 100 and of 1100 iterations; their difference / 1000 is the cost of one. */
static void print_loop(const char *when)
{
    uint32_t a = timed_loop(100), b = timed_loop(1100);
    printf("loop %s: 100 iterations %lu cycles, 1100 iterations %lu cycles, %lu per iteration\n", when, (unsigned long)a,
           (unsigned long)b, (unsigned long)(b - a) / 1000UL);
}

/* SYSCLK from the registers (PLL from HSI16 only, as configured above). */
static unsigned long sysclk_hz(void)
{
    switch ((RCC->CFGR & RCC_CFGR_SWS_Msk) >> 2) {
    case 1: return 16000000UL;
    case 3: {
        uint32_t p = RCC->PLLCFGR;
        unsigned long in = (p & 3UL) == 2 ? 16000000UL : 0;
        unsigned long m = ((p >> RCC_PLLCFGR_PLLM_Pos) & 0xFUL) + 1;
        unsigned long n = (p >> RCC_PLLCFGR_PLLN_Pos) & 0x7FUL;
        unsigned long r = 2 * (((p >> RCC_PLLCFGR_PLLR_Pos) & 3UL) + 1);
        return in / m * n / r;
    }
    default: return 0;
    }
}

int main(void)
{
    char cmdline[128] = "";
    mcusim_cmdline(cmdline, sizeof cmdline);
    const char *arg = strchr(cmdline, ' ');
    arg = arg ? arg + 1 : "";

    if (strcmp(arg, "loops") == 0) {
        system_init();
        mcusim_cycles_init();
        print_loop("at MSI 4 MHz, latency 0");
    }
    system_clock_config(strcmp(arg, "badws") == 0 ? 2UL : 5UL);
    if (strcmp(arg, "loops") == 0) print_loop("at PLL 120 MHz, latency 5");
    printf("SYSCLK %lu Hz (FLASH latency %lu, VOS range %lu%s)\n", sysclk_hz(), FLASH->ACR & FLASH_ACR_LATENCY_Msk,
           (PWR->CR1 & PWR_CR1_VOS_Msk) >> 9, (PWR->CR5 & PWR_CR5_R1MODE) ? "" : " boost");
    printf("ready flags polled %lu times\n", spins);

    if (strcmp(arg, "probe") == 0) {
        /* Registers no model gives behaviour: each reported once. */
        uint32_t a = RCC->PLLSAI1CFGR;
        uint32_t b = RCC->PLLSAI1CFGR;
        RCC->CCIPR2 = 0x00000003UL;
        RCC->CCIPR2 = 0x00000003UL;
        uint32_t c = *(volatile uint32_t *)(0x40021000UL + 0x0A0); /* an offset the data does not list */
        printf("PLLSAI1CFGR %08lx %08lx CCIPR2 %08lx RCC+0xA0 %08lx\n", (unsigned long)a, (unsigned long)b,
               (unsigned long)RCC->CCIPR2, (unsigned long)c);
    }
    if (strcmp(arg, "gap") == 0) {
        /* In the RCC's 4 KiB page but outside the block: plain memory, as before. */
        volatile uint32_t *beside = (volatile uint32_t *)0x40021800UL;
        *beside = 0x5A5A1234UL;
        printf("beside RCC %08lx\n", (unsigned long)*beside);
        uint32_t g = *(volatile uint32_t *)0x48000000UL; /* GPIOA: no block describes it */
        printf("GPIOA MODER %08lx\n", (unsigned long)g);
    }
    return sysclk_hz() == 120000000UL ? 0 : 1;
}
