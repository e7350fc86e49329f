/*
 * clock_u5 - a SystemClock_Config-style bring-up of the STM32U575 to 160 MHz,
 * at register level as ST's HAL does it (RM0456 §11.4, §10.5.4, §7.3.3): the
 * CMSIS SystemInit, HAL_Init's prefetch, voltage range 1 with the EPOD booster
 * (HAL_PWREx_ControlVoltageScaling: VOSRDY, then SVMSR.ACTVOSRDY), MSIS at
 * 4 MHz (range 4), PLL1 from MSIS (/1 x80 /2 = 160 MHz on R), 4 flash wait
 * states, AHB and APB /1, waiting on every ready flag. Prints SystemCoreClock
 * computed from the registers as HAL_RCC_GetSysClockFreq does.
 * Modes: see clock_common.h.
 */
#include "stm32u575_regs.h"
#include "clock_common.h"

#define HSE_VALUE 16000000UL
#define HSI_VALUE 16000000UL

static const unsigned long msi_range_hz[16] = {48000000, 24000000, 16000000, 12000000, 4000000, 2000000,
                                               1330000,  1000000,  3072000,  1536000,  1024000, 768000,
                                               400000,   200000,   133000,   100000};

/* The CMSIS SystemInit of the STM32U5: MSIS on, the reset clock configuration restored. */
static void system_init(void)
{
    RCC->CR = RCC_CR_MSISON;
    RCC->CFGR1 = 0;
    RCC->CFGR2 = 0;
    RCC->CFGR3 = 0;
    RCC->CR &= ~(RCC_CR_HSEON | RCC_CR_CSSON | RCC_CR_PLL1ON | RCC_CR_PLL2ON | RCC_CR_PLL3ON);
    RCC->PLL1CFGR = 0;
}

/* HAL_Init: prefetch on (stm32u5xx_hal_conf default PREFETCH_ENABLE = 1). */
static void hal_init(void) { FLASH->ACR |= FLASH_ACR_PRFTEN; }

static void system_clock_config(unsigned long latency)
{
    /* __HAL_RCC_PWR_CLK_ENABLE, then HAL_PWREx_ControlVoltageScaling(range 1). */
    RCC->AHB3ENR |= RCC_AHB3ENR_PWREN;
    (void)RCC->AHB3ENR;
    if ((PWR->SVMSR & PWR_SVMSR_ACTVOS_Msk) != PWR_REGULATOR_VOLTAGE_SCALE1) {
        PWR->VOSR = (PWR->VOSR & ~(PWR_VOSR_VOS_Msk | PWR_VOSR_BOOSTEN)) | PWR_REGULATOR_VOLTAGE_SCALE1 | PWR_VOSR_BOOSTEN;
        WAIT_UNTIL(PWR->VOSR & PWR_VOSR_VOSRDY);
        WAIT_UNTIL(PWR->SVMSR & PWR_SVMSR_ACTVOSRDY);
    }

    /* HAL_RCC_OscConfig: MSIS is the system clock: range 4 (4 MHz) from ICSCR1. */
    WAIT_UNTIL(RCC->CR & RCC_CR_MSISRDY);
    RCC->ICSCR1 = (RCC->ICSCR1 & ~RCC_ICSCR1_MSISRANGE_Msk) | (4UL << RCC_ICSCR1_MSISRANGE_Pos) | RCC_ICSCR1_MSIRGSEL;
    /* PLL1: off; the booster off while PLL1MBOOST is set; configure; booster back on; on. */
    RCC->CR &= ~RCC_CR_PLL1ON;
    WAIT_UNTIL((RCC->CR & RCC_CR_PLL1RDY) == 0);
    unsigned long boost = PWR->VOSR & PWR_VOSR_BOOSTEN;
    PWR->VOSR &= ~PWR_VOSR_BOOSTEN;
    RCC->PLL1CFGR = RCC_PLL1CFGR_PLL1SRC_MSIS | (0UL << RCC_PLL1CFGR_PLL1RGE_Pos) | (0UL << RCC_PLL1CFGR_PLL1M_Pos) |
                    (0UL << RCC_PLL1CFGR_PLL1MBOOST_Pos);
    RCC->PLL1DIVR = ((80UL - 1) << RCC_PLL1DIVR_PLL1N_Pos) | ((2UL - 1) << RCC_PLL1DIVR_PLL1P_Pos) |
                    ((2UL - 1) << RCC_PLL1DIVR_PLL1Q_Pos) | ((2UL - 1) << RCC_PLL1DIVR_PLL1R_Pos);
    RCC->PLL1CFGR &= ~RCC_PLL1CFGR_PLL1FRACEN;
    RCC->PLL1FRACR = 0; /* __HAL_RCC_PLL_FRACN_CONFIG(0) */
    RCC->PLL1CFGR |= RCC_PLL1CFGR_PLL1REN;
    if (boost) {
        PWR->VOSR |= PWR_VOSR_BOOSTEN;
        WAIT_UNTIL(PWR->VOSR & PWR_VOSR_BOOSTRDY);
    }
    RCC->CR |= RCC_CR_PLL1ON;
    WAIT_UNTIL(RCC->CR & RCC_CR_PLL1RDY);

    /* HAL_RCC_ClockConfig: the latency first (raising the clock), read back until it holds. */
    FLASH->ACR = (FLASH->ACR & ~FLASH_ACR_LATENCY_Msk) | latency;
    WAIT_UNTIL((FLASH->ACR & FLASH_ACR_LATENCY_Msk) == latency);
    RCC->CFGR2 &= ~RCC_CFGR2_HPRE_Msk;
    RCC->CFGR1 = (RCC->CFGR1 & ~RCC_CFGR1_SW_Msk) | RCC_CFGR1_SW_PLL;
    WAIT_UNTIL((RCC->CFGR1 & RCC_CFGR1_SWS_Msk) == RCC_CFGR1_SWS_PLL);
    RCC->CFGR2 &= ~(RCC_CFGR2_PPRE1_Msk | RCC_CFGR2_PPRE2_Msk);
    RCC->CFGR3 &= ~RCC_CFGR3_PPRE3_Msk;
}

static unsigned long msis_hz(void)
{
    unsigned long range = (RCC->ICSCR1 & RCC_ICSCR1_MSIRGSEL) ? RCC->ICSCR1 >> RCC_ICSCR1_MSISRANGE_Pos
                                                              : (RCC->CSR >> 12) & 0xFUL;
    return msi_range_hz[range & 0xFUL];
}

/* HAL_RCC_GetSysClockFreq, then the AHB prescaler (SystemCoreClockUpdate). */
static unsigned long system_core_clock(void)
{
    unsigned long sysclk = 0;
    switch ((RCC->CFGR1 & RCC_CFGR1_SWS_Msk) >> 2) {
    case 0: sysclk = msis_hz(); break;
    case 1: sysclk = HSI_VALUE; break;
    case 2: sysclk = HSE_VALUE; break;
    case 3: {
        uint32_t c = RCC->PLL1CFGR, d = RCC->PLL1DIVR;
        unsigned long in = (c & 3UL) == 1 ? msis_hz() : (c & 3UL) == 2 ? HSI_VALUE : HSE_VALUE;
        unsigned long m = ((c >> RCC_PLL1CFGR_PLL1M_Pos) & 0xFUL) + 1, n = (d & 0x1FFUL) + 1;
        unsigned long r = ((d >> RCC_PLL1DIVR_PLL1R_Pos) & 0x7FUL) + 1;
        sysclk = in / m * n / r;
        break;
    }
    }
    return sysclk >> ahb_shift(RCC->CFGR2 & RCC_CFGR2_HPRE_Msk);
}

static void bringup_init(void)
{
    system_init();
    hal_init();
}

static void print_supply(void) { printf("VOS range %lu%s", 4 - ((PWR->SVMSR & PWR_SVMSR_ACTVOS_Msk) >> 16), (PWR->VOSR & PWR_VOSR_BOOSTRDY) ? ", boost" : ""); }

int main(void)
{
    static const struct clock_bringup bringup = {
        .at_reset = "at MSIS 4 MHz, latency 0",
        .at_pll = "at PLL1 160 MHz, latency 4",
        .latency = 4UL,
        .bad_latency = 2UL,
        .target_hz = 160000000UL,
        .init = bringup_init,
        .config = system_clock_config,
        .core_clock = system_core_clock,
        .print_supply = print_supply,
    };
    return run_bringup(&bringup);
}
