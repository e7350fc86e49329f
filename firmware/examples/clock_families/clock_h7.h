/*
 * clock_h7.h - a SystemClock_Config-style bring-up of the STM32H7A3 to 280 MHz,
 * at register level as ST's HAL does it (RM0455 §7.5, §6.6, §4.3.8): the
 * supply configuration (direct SMPS, HAL_PWREx_ConfigSupply: CSR1.ACTVOSRDY),
 * voltage scale 0 (SRDCR.VOSRDY), PLL1 from HSI 64 MHz (DIVM1 /4, DIVN1 x35,
 * DIVP1 /2 = 280 MHz), 6 flash wait states, the CPU clock /1 (CDCPRE), AHB /1
 * (HPRE), APB /2, waiting on every ready flag. Prints SystemCoreClock (the CPU
 * clock) computed from the registers as HAL_RCC_GetSysClockFreq and
 * SystemCoreClockUpdate do. Modes: see clock_common.h. Shared by clock_h7.c
 * and the STM32H7A3 peripheral firmware (examples/h7a3): `h7_bringup` is the
 * run_bringup description.
 */
#ifndef CLOCK_H7_H
#define CLOCK_H7_H

#include "stm32h7a3_regs.h"
#include "clock_common.h"

#define HSE_VALUE 8000000UL
#define HSI_VALUE 64000000UL
#define CSI_VALUE 4000000UL

/* The CMSIS SystemInit of the STM32H7: HSI on, the reset clock configuration restored. */
static void system_init(void)
{
    RCC->CR |= RCC_CR_HSION;
    RCC->CFGR = 0;
    RCC->CR &= ~(RCC_CR_HSEON | RCC_CR_CSSHSEON | RCC_CR_PLL1ON | RCC_CR_PLL2ON | RCC_CR_PLL3ON);
    RCC->CDCFGR1 = 0;
    RCC->CDCFGR2 = 0;
    RCC->SRDCFGR = 0;
    RCC->PLLCKSELR = 0x02020200UL;
    RCC->PLLCFGR = 0x01FF0000UL;
    RCC->PLL1DIVR = 0x01010280UL;
    RCC->PLL1FRACR = 0;
}

static void system_clock_config(unsigned long latency)
{
    /* HAL_PWREx_ConfigSupply(PWR_DIRECT_SMPS_SUPPLY): CR3 once, then ACTVOSRDY. */
    PWR->CR3 = (PWR->CR3 & ~(PWR_CR3_SMPSEN | PWR_CR3_LDOEN | PWR_CR3_BYPASS)) | PWR_CR3_SMPSEN;
    WAIT_UNTIL(PWR->CSR1 & PWR_CSR1_ACTVOSRDY);
    /* __HAL_PWR_VOLTAGESCALING_CONFIG(scale 0), then VOSRDY. */
    PWR->SRDCR = (PWR->SRDCR & ~PWR_SRDCR_VOS_Msk) | PWR_REGULATOR_VOLTAGE_SCALE0;
    WAIT_UNTIL(PWR->SRDCR & PWR_SRDCR_VOSRDY);

    /* HAL_RCC_OscConfig: HSI is the system clock: its divider /1. */
    RCC->CR = (RCC->CR & ~RCC_CR_HSIDIV_Msk) | (0UL << RCC_CR_HSIDIV_Pos);
    WAIT_UNTIL(RCC->CR & RCC_CR_HSIRDY);
    /* PLL1: off, source and DIVM1, dividers, input range 8-16 MHz, wide VCO, P/Q/R on, on. */
    RCC->CR &= ~RCC_CR_PLL1ON;
    WAIT_UNTIL((RCC->CR & RCC_CR_PLL1RDY) == 0);
    RCC->PLLCKSELR = (RCC->PLLCKSELR & ~(RCC_PLLCKSELR_PLLSRC_Msk | RCC_PLLCKSELR_DIVM1_Msk)) |
                     RCC_PLLCKSELR_PLLSRC_HSI | (4UL << RCC_PLLCKSELR_DIVM1_Pos);
    RCC->PLL1DIVR = ((35UL - 1) << RCC_PLL1DIVR_N1_Pos) | ((2UL - 1) << RCC_PLL1DIVR_P1_Pos) |
                    ((2UL - 1) << RCC_PLL1DIVR_Q1_Pos) | ((2UL - 1) << RCC_PLL1DIVR_R1_Pos);
    RCC->PLLCFGR &= ~RCC_PLLCFGR_PLL1FRACEN;
    RCC->PLL1FRACR = 0;
    RCC->PLLCFGR = (RCC->PLLCFGR & ~(RCC_PLLCFGR_PLL1RGE_Msk | RCC_PLLCFGR_PLL1VCOSEL)) | (3UL << RCC_PLLCFGR_PLL1RGE_Pos);
    RCC->PLLCFGR |= RCC_PLLCFGR_DIVP1EN | RCC_PLLCFGR_DIVQ1EN | RCC_PLLCFGR_DIVR1EN;
    RCC->CR |= RCC_CR_PLL1ON;
    WAIT_UNTIL(RCC->CR & RCC_CR_PLL1RDY);

    /* HAL_RCC_ClockConfig: the latency first (raising the clock), read back until it holds. */
    FLASH->ACR = (FLASH->ACR & ~FLASH_ACR_LATENCY_Msk) | latency;
    WAIT_UNTIL((FLASH->ACR & FLASH_ACR_LATENCY_Msk) == latency);
    RCC->CDCFGR1 = (RCC->CDCFGR1 & ~RCC_CDCFGR1_CDPPRE_Msk) | RCC_CDCFGR1_CDPPRE_DIV2;
    RCC->CDCFGR2 = (RCC->CDCFGR2 & ~RCC_CDCFGR2_CDPPRE1_Msk) | RCC_CDCFGR2_CDPPRE1_DIV2;
    RCC->CDCFGR2 = (RCC->CDCFGR2 & ~RCC_CDCFGR2_CDPPRE2_Msk) | RCC_CDCFGR2_CDPPRE2_DIV2;
    RCC->SRDCFGR = (RCC->SRDCFGR & ~RCC_SRDCFGR_SRDPPRE_Msk) | RCC_SRDCFGR_SRDPPRE_DIV2;
    RCC->CDCFGR1 &= ~RCC_CDCFGR1_HPRE_Msk;
    RCC->CDCFGR1 &= ~RCC_CDCFGR1_CDCPRE_Msk;
    RCC->CFGR = (RCC->CFGR & ~RCC_CFGR_SW_Msk) | RCC_CFGR_SW_PLL1;
    WAIT_UNTIL((RCC->CFGR & RCC_CFGR_SWS_Msk) == RCC_CFGR_SWS_PLL1);
}

/* HAL_RCC_GetSysClockFreq, then the CPU prescaler CDCPRE (SystemCoreClock is the CPU clock). */
static unsigned long system_core_clock(void)
{
    unsigned long sysclk = 0, hsi = HSI_VALUE >> ((RCC->CR & RCC_CR_HSIDIV_Msk) >> RCC_CR_HSIDIV_Pos);
    switch ((RCC->CFGR & RCC_CFGR_SWS_Msk) >> RCC_CFGR_SWS_Pos) {
    case 0: sysclk = hsi; break;
    case 1: sysclk = CSI_VALUE; break;
    case 2: sysclk = HSE_VALUE; break;
    case 3: {
        uint32_t sel = RCC->PLLCKSELR, d = RCC->PLL1DIVR;
        unsigned long in = (sel & 3UL) == 0 ? hsi : (sel & 3UL) == 1 ? CSI_VALUE : HSE_VALUE;
        unsigned long m = (sel & RCC_PLLCKSELR_DIVM1_Msk) >> RCC_PLLCKSELR_DIVM1_Pos;
        unsigned long n = (d & 0x1FFUL) + 1, p = ((d >> RCC_PLL1DIVR_P1_Pos) & 0x7FUL) + 1;
        sysclk = m ? in / m * n / p : 0;
        break;
    }
    }
    return sysclk >> ahb_shift((RCC->CDCFGR1 & RCC_CDCFGR1_CDCPRE_Msk) >> RCC_CDCFGR1_CDCPRE_Pos);
}

static void bringup_init(void)
{
    system_init();
}

static void print_supply(void) { printf("VOS scale %lu", 3 - ((PWR->SRDCR & PWR_SRDCR_VOS_Msk) >> PWR_SRDCR_VOS_Pos)); }

static const struct clock_bringup h7_bringup = {
    .at_reset = "at HSI 64 MHz, latency 3",
    .at_pll = "at PLL1 280 MHz, latency 6",
    .latency = 6UL,
    .bad_latency = 3UL,
    .target_hz = 280000000UL,
    .init = bringup_init,
    .config = system_clock_config,
    .core_clock = system_core_clock,
    .print_supply = print_supply,
};

#endif
