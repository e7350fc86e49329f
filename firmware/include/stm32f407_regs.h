/*
 * stm32f407_regs.h - the few STM32F407 registers the bring-up firmware uses,
 * CMSIS style, written from RM0090 (STM32F4 reference manual): RCC (§7.3),
 * PWR (§5.4), FLASH (§3.9). Our own definitions; no vendor header.
 */
#ifndef STM32F407_REGS_H
#define STM32F407_REGS_H

#include <stdint.h>

typedef struct {
    volatile uint32_t CR, PLLCFGR, CFGR, CIR, AHB1RSTR, AHB2RSTR, AHB3RSTR;
    uint32_t RESERVED0;
    volatile uint32_t APB1RSTR, APB2RSTR;
    uint32_t RESERVED1[2];
    volatile uint32_t AHB1ENR, AHB2ENR, AHB3ENR;
    uint32_t RESERVED2;
    volatile uint32_t APB1ENR, APB2ENR;
} RCC_TypeDef;

typedef struct {
    volatile uint32_t CR, CSR;
} PWR_TypeDef;

typedef struct {
    volatile uint32_t ACR, KEYR, OPTKEYR, SR, CR, OPTCR;
} FLASH_TypeDef;

#define PWR   ((PWR_TypeDef *)0x40007000UL)
#define RCC   ((RCC_TypeDef *)0x40023800UL)
#define FLASH ((FLASH_TypeDef *)0x40023C00UL)

/* RCC_CR */
#define RCC_CR_HSION  (1UL << 0)
#define RCC_CR_HSIRDY (1UL << 1)
#define RCC_CR_HSEON  (1UL << 16)
#define RCC_CR_HSERDY (1UL << 17)
#define RCC_CR_HSEBYP (1UL << 18)
#define RCC_CR_CSSON  (1UL << 19)
#define RCC_CR_PLLON  (1UL << 24)
#define RCC_CR_PLLRDY (1UL << 25)
/* RCC_PLLCFGR */
#define RCC_PLLCFGR_PLLM_Pos 0
#define RCC_PLLCFGR_PLLN_Pos 6
#define RCC_PLLCFGR_PLLP_Pos 16
#define RCC_PLLCFGR_PLLSRC_HSE (1UL << 22)
#define RCC_PLLCFGR_PLLQ_Pos 24
#define RCC_PLLCFGR_RESET 0x24003010UL
/* RCC_CFGR */
#define RCC_CFGR_SW_Msk    (3UL << 0)
#define RCC_CFGR_SW_PLL    (2UL << 0)
#define RCC_CFGR_SWS_Msk   (3UL << 2)
#define RCC_CFGR_SWS_HSE   (1UL << 2)
#define RCC_CFGR_SWS_PLL   (2UL << 2)
#define RCC_CFGR_HPRE_Pos  4
#define RCC_CFGR_HPRE_Msk  (0xFUL << 4)
#define RCC_CFGR_PPRE1_Msk (7UL << 10)
#define RCC_CFGR_PPRE1_DIV4  (5UL << 10)
#define RCC_CFGR_PPRE1_DIV16 (7UL << 10)
#define RCC_CFGR_PPRE2_Msk (7UL << 13)
#define RCC_CFGR_PPRE2_DIV2  (4UL << 13)
#define RCC_CFGR_PPRE2_DIV16 (7UL << 13)
/* RCC_APB1ENR */
#define RCC_APB1ENR_PWREN (1UL << 28)
/* PWR */
#define PWR_CR_VOS     (1UL << 14)
#define PWR_CSR_VOSRDY (1UL << 14)
/* FLASH_ACR */
#define FLASH_ACR_LATENCY_Msk 0x7UL
#define FLASH_ACR_PRFTEN (1UL << 8)
#define FLASH_ACR_ICEN   (1UL << 9)
#define FLASH_ACR_DCEN   (1UL << 10)

#endif
