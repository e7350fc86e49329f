/*
 * clock_f4 - a SystemClock_Config-style bring-up of the STM32F407 to 168 MHz,
 * at register level as ST's HAL does it (RM0090 §7.2, §5.1.3, §3.5.1): the
 * CMSIS SystemInit, HAL_Init's flash accelerator enables, voltage scale 1,
 * the HSE (8 MHz), the main PLL from HSE (/8 x336 /2 = 168 MHz), 5 flash wait
 * states, AHB /1, APB1 /4, APB2 /2, waiting on every ready flag. Prints
 * SystemCoreClock computed from the registers as HAL_RCC_GetSysClockFreq does.
 * Modes: see clock_common.h.
 */
#include "stm32f407_regs.h"
#include "clock_common.h"

#define HSE_VALUE 8000000UL
#define HSI_VALUE 16000000UL

/* The CMSIS SystemInit of the STM32F4: HSI on, the reset clock configuration restored. */
static void system_init(void)
{
    RCC->CR |= RCC_CR_HSION;
    RCC->CFGR = 0;
    RCC->CR &= ~(RCC_CR_HSEON | RCC_CR_CSSON | RCC_CR_PLLON);
    RCC->PLLCFGR = RCC_PLLCFGR_RESET;
    RCC->CR &= ~RCC_CR_HSEBYP;
    /* (CMSIS also writes RCC_CIR = 0, its reset value: left out, the model has no interrupts.) */
}

/* HAL_Init: instruction and data caches and prefetch on (stm32f4xx_hal_conf defaults). */
static void hal_init(void) { FLASH->ACR |= FLASH_ACR_ICEN | FLASH_ACR_DCEN | FLASH_ACR_PRFTEN; }

static void system_clock_config(unsigned long latency)
{
    /* __HAL_RCC_PWR_CLK_ENABLE, then HAL_PWREx_ControlVoltageScaling(scale 1). */
    RCC->APB1ENR |= RCC_APB1ENR_PWREN;
    (void)RCC->APB1ENR;
    PWR->CR |= PWR_CR_VOS;
    WAIT_UNTIL(PWR->CSR & PWR_CSR_VOSRDY);

    /* HAL_RCC_OscConfig: HSE on, then the main PLL (not the system clock now: off, configure, on). */
    RCC->CR |= RCC_CR_HSEON;
    WAIT_UNTIL(RCC->CR & RCC_CR_HSERDY);
    RCC->CR &= ~RCC_CR_PLLON;
    WAIT_UNTIL((RCC->CR & RCC_CR_PLLRDY) == 0);
    RCC->PLLCFGR = RCC_PLLCFGR_PLLSRC_HSE | (8UL << RCC_PLLCFGR_PLLM_Pos) | (336UL << RCC_PLLCFGR_PLLN_Pos) |
                   (0UL << RCC_PLLCFGR_PLLP_Pos) /* /2 */ | (7UL << RCC_PLLCFGR_PLLQ_Pos);
    RCC->CR |= RCC_CR_PLLON;
    WAIT_UNTIL(RCC->CR & RCC_CR_PLLRDY);

    /* HAL_RCC_ClockConfig: the latency first (raising the clock), read back until it holds. */
    FLASH->ACR = (FLASH->ACR & ~FLASH_ACR_LATENCY_Msk) | latency;
    WAIT_UNTIL((FLASH->ACR & FLASH_ACR_LATENCY_Msk) == latency);
    /* APB prescalers at their highest across the change, AHB /1, the switch, then the APB prescalers. */
    RCC->CFGR = (RCC->CFGR & ~RCC_CFGR_PPRE1_Msk) | RCC_CFGR_PPRE1_DIV16;
    RCC->CFGR = (RCC->CFGR & ~RCC_CFGR_PPRE2_Msk) | RCC_CFGR_PPRE2_DIV16;
    RCC->CFGR &= ~RCC_CFGR_HPRE_Msk;
    RCC->CFGR = (RCC->CFGR & ~RCC_CFGR_SW_Msk) | RCC_CFGR_SW_PLL;
    WAIT_UNTIL((RCC->CFGR & RCC_CFGR_SWS_Msk) == RCC_CFGR_SWS_PLL);
    RCC->CFGR = (RCC->CFGR & ~RCC_CFGR_PPRE1_Msk) | RCC_CFGR_PPRE1_DIV4;
    RCC->CFGR = (RCC->CFGR & ~RCC_CFGR_PPRE2_Msk) | RCC_CFGR_PPRE2_DIV2;
}

/* HAL_RCC_GetSysClockFreq, then the AHB prescaler (SystemCoreClockUpdate). */
static unsigned long system_core_clock(void)
{
    unsigned long sysclk = 0;
    switch (RCC->CFGR & RCC_CFGR_SWS_Msk) {
    case 0: sysclk = HSI_VALUE; break;
    case RCC_CFGR_SWS_HSE: sysclk = HSE_VALUE; break;
    case RCC_CFGR_SWS_PLL: {
        uint32_t p = RCC->PLLCFGR;
        unsigned long m = p & 0x3FUL, n = (p >> RCC_PLLCFGR_PLLN_Pos) & 0x1FFUL;
        unsigned long div = (((p >> RCC_PLLCFGR_PLLP_Pos) & 3UL) + 1) * 2;
        unsigned long in = (p & RCC_PLLCFGR_PLLSRC_HSE) ? HSE_VALUE : HSI_VALUE;
        sysclk = in / m * n / div;
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

static void print_supply(void) { printf("VOS scale %s", (PWR->CR & PWR_CR_VOS) ? "1" : "2"); }

int main(void)
{
    static const struct clock_bringup bringup = {
        .at_reset = "at HSI 16 MHz, latency 0",
        .at_pll = "at PLL 168 MHz, latency 5",
        .latency = 5UL,
        .bad_latency = 3UL,
        .target_hz = 168000000UL,
        .init = bringup_init,
        .config = system_clock_config,
        .core_clock = system_core_clock,
        .print_supply = print_supply,
    };
    return run_bringup(&bringup);
}
