/*
 * eembc_main.c - an MLPerf Tiny runner firmware for the STM32L4R5 (the
 * benchmark's reference board, NUCLEO-L4R5ZI, runs at 120 MHz): the clock
 * brought up as CubeMX's SystemClock_Config does (HSI16, main PLL to
 * 120 MHz, voltage Range 1 boost, 5 flash wait states), then the runner
 * protocol (ee_protocol.h) over USART2, forever. `mcusim eembc` drives it
 * (docs/eembc.md); so would the EEMBC EnergyRunner on a board.
 */
#include <stdint.h>

#include "ee_protocol.h"
#include "mcusim.h"
#include "stm32l4r5_regs.h"
#include "th_api.h"

/* HCLK after system_clock_config (CMSIS's name). */
uint32_t SystemCoreClock = 4000000UL;

/* No stdio: no heap, nothing but the protocol on the serial port. */
void mcusim_init_stdio(void) {}

static void system_clock_config(void)
{
    RCC->APB1ENR1 |= RCC_APB1ENR1_PWREN;
    (void)RCC->APB1ENR1;
    PWR->CR1 = (PWR->CR1 & ~PWR_CR1_VOS_Msk) | PWR_CR1_VOS_RANGE1;
    while (PWR->SR2 & PWR_SR2_VOSF) {
    }
    PWR->CR5 &= ~PWR_CR5_R1MODE;

    RCC->CR |= RCC_CR_HSION;
    while ((RCC->CR & RCC_CR_HSIRDY) == 0) {
    }
    /* Main PLL: HSI16 / 2 x30 / 2 = 120 MHz. */
    RCC->CR &= ~RCC_CR_PLLON;
    while (RCC->CR & RCC_CR_PLLRDY) {
    }
    RCC->PLLCFGR = RCC_PLLCFGR_PLLSRC_HSI | (1UL << RCC_PLLCFGR_PLLM_Pos) | (30UL << RCC_PLLCFGR_PLLN_Pos) |
                   (0UL << RCC_PLLCFGR_PLLR_Pos) | RCC_PLLCFGR_PLLREN;
    RCC->CR |= RCC_CR_PLLON;
    while ((RCC->CR & RCC_CR_PLLRDY) == 0) {
    }
    FLASH->ACR = (FLASH->ACR & ~FLASH_ACR_LATENCY_Msk) | 5UL;
    while ((FLASH->ACR & FLASH_ACR_LATENCY_Msk) != 5UL) {
    }
    /* Above 80 MHz: AHB /2 across the switch, then /1 (RM0432 §6.2.7). */
    RCC->CFGR = (RCC->CFGR & ~RCC_CFGR_HPRE_Msk) | RCC_CFGR_HPRE_DIV2;
    RCC->CFGR = (RCC->CFGR & ~RCC_CFGR_SW_Msk) | RCC_CFGR_SW_PLL;
    while ((RCC->CFGR & RCC_CFGR_SWS_Msk) != RCC_CFGR_SWS_PLL) {
    }
    for (volatile int i = 0; i < 100; i++) {
    }
    RCC->CFGR &= ~RCC_CFGR_HPRE_Msk;
    SystemCoreClock = 120000000UL;
}

int main(void)
{
    system_clock_config();
    ee_benchmark_initialize();
    for (;;) {
        ee_serial_callback(th_getchar());
    }
}
