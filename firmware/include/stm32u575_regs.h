/*
 * stm32u575_regs.h - the few STM32U575 registers the bring-up firmware uses,
 * CMSIS style, written from RM0456 (STM32U5 reference manual): RCC (§11.8),
 * PWR (§10.10), FLASH (§7.9), non-secure aliases. Our own definitions; no
 * vendor header.
 */
#ifndef STM32U575_REGS_H
#define STM32U575_REGS_H

#include <stdint.h>

typedef struct {
    volatile uint32_t CR;
    uint32_t RESERVED0;
    volatile uint32_t ICSCR1, ICSCR2, ICSCR3, CRRCR;
    uint32_t RESERVED1;
    volatile uint32_t CFGR1, CFGR2, CFGR3, PLL1CFGR, PLL2CFGR, PLL3CFGR, PLL1DIVR, PLL1FRACR; /* 0x1C..0x38 */
    uint32_t RESERVED2[19];                                                                  /* 0x3C..0x84 */
    volatile uint32_t AHB1ENR, AHB2ENR1, AHB2ENR2, AHB3ENR;                                  /* 0x88..0x94 */
    uint32_t RESERVED3;
    volatile uint32_t APB1ENR1, APB1ENR2, APB2ENR, APB3ENR;                                  /* 0x9C..0xA8 */
    uint32_t RESERVED4[18];
    volatile uint32_t CCIPR1, CCIPR2, CCIPR3;                                                /* 0xE0 */
    uint32_t RESERVED5;
    volatile uint32_t BDCR, CSR;                                                             /* 0xF0, 0xF4 */
} RCC_TypeDef;

typedef struct {
    volatile uint32_t CR1, CR2, CR3, VOSR, SVMCR;
    uint32_t RESERVED0[9];
    volatile uint32_t SR, SVMSR; /* 0x38, 0x3C */
} PWR_TypeDef;

typedef struct {
    volatile uint32_t ACR;
} FLASH_TypeDef;

#define FLASH ((FLASH_TypeDef *)0x40022000UL)
#define PWR   ((PWR_TypeDef *)0x46020800UL)
#define RCC   ((RCC_TypeDef *)0x46020C00UL)

/* RCC_CR */
#define RCC_CR_MSISON  (1UL << 0)
#define RCC_CR_MSISRDY (1UL << 2)
#define RCC_CR_HSEON   (1UL << 16)
#define RCC_CR_CSSON   (1UL << 19)
#define RCC_CR_PLL1ON  (1UL << 24)
#define RCC_CR_PLL1RDY (1UL << 25)
#define RCC_CR_PLL2ON  (1UL << 26)
#define RCC_CR_PLL3ON  (1UL << 28)
/* RCC_ICSCR1 */
#define RCC_ICSCR1_MSIRGSEL      (1UL << 23)
#define RCC_ICSCR1_MSISRANGE_Pos 28
#define RCC_ICSCR1_MSISRANGE_Msk (0xFUL << 28)
/* RCC_CFGR1 / CFGR2 */
#define RCC_CFGR1_SW_Msk   (3UL << 0)
#define RCC_CFGR1_SW_PLL   (3UL << 0)
#define RCC_CFGR1_SWS_Msk  (3UL << 2)
#define RCC_CFGR1_SWS_PLL  (3UL << 2)
#define RCC_CFGR2_HPRE_Msk 0xFUL
#define RCC_CFGR2_PPRE1_Msk (7UL << 4)
#define RCC_CFGR2_PPRE2_Msk (7UL << 8)
#define RCC_CFGR3_PPRE3_Msk (7UL << 4)
/* RCC_PLL1CFGR */
#define RCC_PLL1CFGR_PLL1SRC_MSIS (1UL << 0)
#define RCC_PLL1CFGR_PLL1RGE_Pos  2
#define RCC_PLL1CFGR_PLL1FRACEN   (1UL << 4)
#define RCC_PLL1CFGR_PLL1M_Pos    8
#define RCC_PLL1CFGR_PLL1MBOOST_Pos 12
#define RCC_PLL1CFGR_PLL1REN      (1UL << 18)
/* RCC_PLL1DIVR */
#define RCC_PLL1DIVR_PLL1N_Pos 0
#define RCC_PLL1DIVR_PLL1P_Pos 9
#define RCC_PLL1DIVR_PLL1Q_Pos 16
#define RCC_PLL1DIVR_PLL1R_Pos 24
/* RCC_AHB3ENR */
#define RCC_AHB3ENR_PWREN (1UL << 2)
/* PWR */
#define PWR_VOSR_BOOSTRDY   (1UL << 14)
#define PWR_VOSR_VOSRDY     (1UL << 15)
#define PWR_VOSR_VOS_Pos    16
#define PWR_VOSR_VOS_Msk    (3UL << 16)
#define PWR_VOSR_BOOSTEN    (1UL << 18)
#define PWR_SVMSR_ACTVOSRDY (1UL << 15)
#define PWR_SVMSR_ACTVOS_Msk (3UL << 16)
#define PWR_REGULATOR_VOLTAGE_SCALE1 (3UL << 16)
#define PWR_REGULATOR_VOLTAGE_SCALE3 (1UL << 16)
/* FLASH_ACR */
#define FLASH_ACR_LATENCY_Msk 0xFUL
#define FLASH_ACR_PRFTEN (1UL << 8)

#endif
