/*
 * stm32h7a3_regs.h - the few STM32H7A3 registers the bring-up firmware uses,
 * CMSIS style, written from RM0455 (STM32H7A3/B3/B0 reference manual): RCC
 * (§7.7), PWR (§6.8), FLASH (§4.9). Our own definitions; no vendor header.
 */
#ifndef STM32H7A3_REGS_H
#define STM32H7A3_REGS_H

#include <stdint.h>

typedef struct {
    volatile uint32_t CR, HSICFGR, CRRCR, CSICFGR, CFGR;
    uint32_t RESERVED0;
    volatile uint32_t CDCFGR1, CDCFGR2, SRDCFGR; /* 0x18..0x20 */
    uint32_t RESERVED1;
    volatile uint32_t PLLCKSELR, PLLCFGR, PLL1DIVR, PLL1FRACR; /* 0x28..0x34 */
} RCC_TypeDef;

typedef struct {
    volatile uint32_t CR1, CSR1, CR2, CR3, CPUCR;
    uint32_t RESERVED0;
    volatile uint32_t SRDCR; /* 0x18 */
} PWR_TypeDef;

typedef struct {
    volatile uint32_t ACR;
} FLASH_TypeDef;

#define FLASH ((FLASH_TypeDef *)0x52002000UL)
#define RCC   ((RCC_TypeDef *)0x58024400UL)
#define PWR   ((PWR_TypeDef *)0x58024800UL)

/* RCC_CR */
#define RCC_CR_HSION      (1UL << 0)
#define RCC_CR_HSIRDY     (1UL << 2)
#define RCC_CR_HSIDIV_Pos 3
#define RCC_CR_HSIDIV_Msk (3UL << 3)
#define RCC_CR_HSEON      (1UL << 16)
#define RCC_CR_CSSHSEON   (1UL << 19)
#define RCC_CR_PLL1ON     (1UL << 24)
#define RCC_CR_PLL1RDY    (1UL << 25)
#define RCC_CR_PLL2ON     (1UL << 26)
#define RCC_CR_PLL3ON     (1UL << 28)
/* RCC_CFGR */
#define RCC_CFGR_SW_Msk   (7UL << 0)
#define RCC_CFGR_SW_PLL1  (3UL << 0)
#define RCC_CFGR_SWS_Pos  3
#define RCC_CFGR_SWS_Msk  (7UL << 3)
#define RCC_CFGR_SWS_PLL1 (3UL << 3)
/* RCC_CDCFGR1 / CDCFGR2 / SRDCFGR */
#define RCC_CDCFGR1_HPRE_Msk    0xFUL
#define RCC_CDCFGR1_CDPPRE_Msk  (7UL << 4)
#define RCC_CDCFGR1_CDPPRE_DIV2 (4UL << 4)
#define RCC_CDCFGR1_CDCPRE_Pos  8
#define RCC_CDCFGR1_CDCPRE_Msk  (0xFUL << 8)
#define RCC_CDCFGR2_CDPPRE1_Msk  (7UL << 4)
#define RCC_CDCFGR2_CDPPRE1_DIV2 (4UL << 4)
#define RCC_CDCFGR2_CDPPRE2_Msk  (7UL << 8)
#define RCC_CDCFGR2_CDPPRE2_DIV2 (4UL << 8)
#define RCC_SRDCFGR_SRDPPRE_Msk  (7UL << 4)
#define RCC_SRDCFGR_SRDPPRE_DIV2 (4UL << 4)
/* RCC_PLLCKSELR / PLLCFGR / PLL1DIVR */
#define RCC_PLLCKSELR_PLLSRC_Msk  3UL
#define RCC_PLLCKSELR_PLLSRC_HSI  0UL
#define RCC_PLLCKSELR_DIVM1_Pos   4
#define RCC_PLLCKSELR_DIVM1_Msk   (0x3FUL << 4)
#define RCC_PLLCFGR_PLL1FRACEN    (1UL << 0)
#define RCC_PLLCFGR_PLL1VCOSEL    (1UL << 1)
#define RCC_PLLCFGR_PLL1RGE_Pos   2
#define RCC_PLLCFGR_PLL1RGE_Msk   (3UL << 2)
#define RCC_PLLCFGR_DIVP1EN       (1UL << 16)
#define RCC_PLLCFGR_DIVQ1EN       (1UL << 17)
#define RCC_PLLCFGR_DIVR1EN       (1UL << 18)
#define RCC_PLL1DIVR_N1_Pos 0
#define RCC_PLL1DIVR_P1_Pos 9
#define RCC_PLL1DIVR_Q1_Pos 16
#define RCC_PLL1DIVR_R1_Pos 24
/* PWR */
#define PWR_CSR1_ACTVOSRDY (1UL << 13)
#define PWR_CR3_BYPASS     (1UL << 0)
#define PWR_CR3_LDOEN      (1UL << 1)
#define PWR_CR3_SMPSEN     (1UL << 2)
#define PWR_SRDCR_VOSRDY   (1UL << 13)
#define PWR_SRDCR_VOS_Pos  14
#define PWR_SRDCR_VOS_Msk  (3UL << 14)
#define PWR_REGULATOR_VOLTAGE_SCALE0 (3UL << 14)
/* FLASH_ACR */
#define FLASH_ACR_LATENCY_Msk 0xFUL

#endif
