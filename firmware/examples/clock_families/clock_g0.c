/*
 * clock_g0 - a SystemClock_Config-style bring-up of the STM32G0B1 to 64 MHz,
 * at register level as ST's HAL does it (RM0444 §5.2, §4.1.4, §3.3.4): the
 * CMSIS SystemInit, HAL_Init's prefetch and instruction cache, voltage Range 1,
 * HSI16 with HSIDIV /1, the PLL from HSI16 (/1 x8 /2 = 64 MHz on R), 2 flash
 * wait states, AHB /1, APB /1, waiting on every ready flag. Prints
 * SystemCoreClock computed from the registers as HAL_RCC_GetSysClockFreq does.
 * Modes: see clock_common.h.
 */
#include "stm32g0b1_regs.h"
#include "clock_common.h"

#define HSE_VALUE 8000000UL
#define HSI_VALUE 16000000UL

/* The CMSIS SystemInit of the STM32G0 sets only the vector table; the reset clock is HSISYS. */
static void system_init(void) {}

/* HAL_Init: instruction cache (on from reset) and prefetch (stm32g0xx_hal_conf default PREFETCH_ENABLE = 1). */
static void hal_init(void) { FLASH->ACR |= FLASH_ACR_ICEN | FLASH_ACR_PRFTEN; }

static void system_clock_config(unsigned long latency)
{
    /* HAL_PWREx_ControlVoltageScaling(Range 1): the PWR clock, VOS, then VOSF clear. */
    RCC->APBENR1 |= RCC_APBENR1_PWREN;
    (void)RCC->APBENR1;
    PWR->CR1 = (PWR->CR1 & ~PWR_CR1_VOS_Msk) | PWR_CR1_VOS_RANGE1;
    WAIT_UNTIL((PWR->SR2 & PWR_SR2_VOSF) == 0);

    /* HAL_RCC_OscConfig: HSI16 is the system clock: its divider /1. */
    RCC->CR = (RCC->CR & ~RCC_CR_HSIDIV_Msk) | (0UL << RCC_CR_HSIDIV_Pos);
    WAIT_UNTIL(RCC->CR & RCC_CR_HSIRDY);
    /* The PLL: off, configure, on, R output enabled. */
    RCC->CR &= ~RCC_CR_PLLON;
    WAIT_UNTIL((RCC->CR & RCC_CR_PLLRDY) == 0);
    RCC->PLLCFGR = RCC_PLLCFGR_PLLSRC_HSI | (0UL << RCC_PLLCFGR_PLLM_Pos) | (8UL << RCC_PLLCFGR_PLLN_Pos) |
                   (1UL << RCC_PLLCFGR_PLLP_Pos) | (1UL << RCC_PLLCFGR_PLLQ_Pos) | (1UL << RCC_PLLCFGR_PLLR_Pos);
    RCC->CR |= RCC_CR_PLLON;
    RCC->PLLCFGR |= RCC_PLLCFGR_PLLREN;
    WAIT_UNTIL(RCC->CR & RCC_CR_PLLRDY);

    /* HAL_RCC_ClockConfig: the latency first (raising the clock), read back until it holds. */
    FLASH->ACR = (FLASH->ACR & ~FLASH_ACR_LATENCY_Msk) | latency;
    WAIT_UNTIL((FLASH->ACR & FLASH_ACR_LATENCY_Msk) == latency);
    RCC->CFGR = (RCC->CFGR & ~RCC_CFGR_PPRE_Msk) | (7UL << 12); /* APB /16 across the change */
    RCC->CFGR &= ~RCC_CFGR_HPRE_Msk;
    RCC->CFGR = (RCC->CFGR & ~RCC_CFGR_SW_Msk) | RCC_CFGR_SW_PLL;
    WAIT_UNTIL((RCC->CFGR & RCC_CFGR_SWS_Msk) == RCC_CFGR_SWS_PLL);
    RCC->CFGR &= ~RCC_CFGR_PPRE_Msk;
}

/* HAL_RCC_GetSysClockFreq, then the AHB prescaler (SystemCoreClockUpdate). */
static unsigned long system_core_clock(void)
{
    unsigned long sysclk = 0;
    switch ((RCC->CFGR & RCC_CFGR_SWS_Msk) >> RCC_CFGR_SWS_Pos) {
    case 0: sysclk = HSI_VALUE >> ((RCC->CR & RCC_CR_HSIDIV_Msk) >> RCC_CR_HSIDIV_Pos); break;
    case 1: sysclk = HSE_VALUE; break;
    case 2: {
        uint32_t p = RCC->PLLCFGR;
        unsigned long in = (p & 3UL) == 3 ? HSE_VALUE : HSI_VALUE;
        unsigned long m = ((p >> RCC_PLLCFGR_PLLM_Pos) & 7UL) + 1, n = (p >> RCC_PLLCFGR_PLLN_Pos) & 0x7FUL;
        unsigned long r = ((p >> RCC_PLLCFGR_PLLR_Pos) & 7UL) + 1;
        sysclk = in / m * n / r;
        break;
    }
    }
    return sysclk >> ahb_shift((RCC->CFGR & RCC_CFGR_HPRE_Msk) >> RCC_CFGR_HPRE_Pos);
}

static void bringup_init(void)
{
    system_init();
    hal_init();
}

static void print_supply(void) { printf("VOS range %lu", (PWR->CR1 & PWR_CR1_VOS_Msk) >> 9); }

int main(void)
{
    static const struct clock_bringup bringup = {
        .at_reset = "at HSI16, latency 0",
        .at_pll = "at PLL 64 MHz, latency 2",
        .latency = 2UL,
        .bad_latency = 1UL,
        .target_hz = 64000000UL,
        .init = bringup_init,
        .config = system_clock_config,
        .core_clock = system_core_clock,
        .print_supply = print_supply,
    };
    return run_bringup(&bringup);
}
