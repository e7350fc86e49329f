/*
 * stm32g0b1_regs.h - the few STM32G0B1 registers the bring-up firmware uses,
 * CMSIS style, written from RM0444 (STM32G0 reference manual): RCC (§5.4),
 * PWR (§4.4), FLASH (§3.7). Our own definitions; no vendor header.
 */
#ifndef STM32G0B1_REGS_H
#define STM32G0B1_REGS_H

#include <stdint.h>

typedef struct {
    volatile uint32_t CR, ICSCR, CFGR, PLLCFGR;
    uint32_t RESERVED0;
    volatile uint32_t CRRCR, CIER, CIFR, CICR, IOPRSTR, AHBRSTR, APBRSTR1, APBRSTR2, IOPENR, AHBENR, APBENR1, APBENR2;
} RCC_TypeDef;

typedef struct {
    volatile uint32_t CR1, CR2, CR3, CR4, SR1, SR2, SCR;
} PWR_TypeDef;

typedef struct {
    volatile uint32_t ACR;
    uint32_t RESERVED0;
    volatile uint32_t KEYR, OPTKEYR, SR, CR;
} FLASH_TypeDef;

#define PWR   ((PWR_TypeDef *)0x40007000UL)
#define RCC   ((RCC_TypeDef *)0x40021000UL)
#define FLASH ((FLASH_TypeDef *)0x40022000UL)

/* RCC_CR */
#define RCC_CR_HSION      (1UL << 8)
#define RCC_CR_HSIRDY     (1UL << 10)
#define RCC_CR_HSIDIV_Pos 11
#define RCC_CR_HSIDIV_Msk (7UL << 11)
#define RCC_CR_HSEON      (1UL << 16)
#define RCC_CR_CSSON      (1UL << 19)
#define RCC_CR_PLLON      (1UL << 24)
#define RCC_CR_PLLRDY     (1UL << 25)
/* RCC_CFGR */
#define RCC_CFGR_SW_Msk   (7UL << 0)
#define RCC_CFGR_SW_PLL   (2UL << 0)
#define RCC_CFGR_SWS_Pos  3
#define RCC_CFGR_SWS_Msk  (7UL << 3)
#define RCC_CFGR_SWS_PLL  (2UL << 3)
#define RCC_CFGR_HPRE_Pos 8
#define RCC_CFGR_HPRE_Msk (0xFUL << 8)
#define RCC_CFGR_PPRE_Msk (7UL << 12)
/* RCC_PLLCFGR */
#define RCC_PLLCFGR_PLLSRC_HSI (2UL << 0)
#define RCC_PLLCFGR_PLLM_Pos 4
#define RCC_PLLCFGR_PLLN_Pos 8
#define RCC_PLLCFGR_PLLP_Pos 17
#define RCC_PLLCFGR_PLLQ_Pos 25
#define RCC_PLLCFGR_PLLREN  (1UL << 28)
#define RCC_PLLCFGR_PLLR_Pos 29
/* RCC_APBENR1 */
#define RCC_APBENR1_PWREN (1UL << 28)
/* PWR */
#define PWR_CR1_VOS_Msk    (3UL << 9)
#define PWR_CR1_VOS_RANGE1 (1UL << 9)
#define PWR_SR2_VOSF       (1UL << 10)
/* FLASH_ACR */
#define FLASH_ACR_LATENCY_Msk 0x7UL
#define FLASH_ACR_PRFTEN (1UL << 8)
#define FLASH_ACR_ICEN   (1UL << 9)

#endif
