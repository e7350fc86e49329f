/*
 * stm32l4r5_regs.h - the few STM32L4R5 registers the bring-up firmware uses,
 * CMSIS style, written from RM0432 (STM32L4+ reference manual): RCC (§6.4),
 * PWR (§5.4), FLASH (§3.7). Our own definitions; no vendor header.
 */
#ifndef STM32L4R5_REGS_H
#define STM32L4R5_REGS_H

#include <stdint.h>

typedef struct {
    volatile uint32_t CR, ICSCR, CFGR, PLLCFGR, PLLSAI1CFGR, PLLSAI2CFGR, CIER, CIFR, CICR;
    uint32_t RESERVED0;
    volatile uint32_t AHB1RSTR, AHB2RSTR, AHB3RSTR;
    uint32_t RESERVED1;
    volatile uint32_t APB1RSTR1, APB1RSTR2, APB2RSTR;
    uint32_t RESERVED2;
    volatile uint32_t AHB1ENR, AHB2ENR, AHB3ENR;
    uint32_t RESERVED3;
    volatile uint32_t APB1ENR1, APB1ENR2, APB2ENR;
    uint32_t RESERVED4;
    volatile uint32_t AHB1SMENR, AHB2SMENR, AHB3SMENR;
    uint32_t RESERVED5;
    volatile uint32_t APB1SMENR1, APB1SMENR2, APB2SMENR;
    uint32_t RESERVED6;
    volatile uint32_t CCIPR;
    uint32_t RESERVED7;
    volatile uint32_t BDCR, CSR, CRRCR, CCIPR2;
} RCC_TypeDef;

typedef struct {
    volatile uint32_t CR1, CR2, CR3, CR4, SR1, SR2, SCR;
    uint32_t RESERVED[25];
    volatile uint32_t CR5; /* 0x80 */
} PWR_TypeDef;

typedef struct {
    volatile uint32_t ACR, PDKEYR, KEYR, OPTKEYR, SR, CR, ECCR;
} FLASH_TypeDef;

#define PWR   ((PWR_TypeDef *)0x40007000UL)
#define RCC   ((RCC_TypeDef *)0x40021000UL)
#define FLASH ((FLASH_TypeDef *)0x40022000UL)

/* RCC_CR */
#define RCC_CR_MSION      (1UL << 0)
#define RCC_CR_MSIRDY     (1UL << 1)
#define RCC_CR_HSION      (1UL << 8)
#define RCC_CR_HSIRDY     (1UL << 10)
#define RCC_CR_PLLON      (1UL << 24)
#define RCC_CR_PLLRDY     (1UL << 25)
/* RCC_CFGR */
#define RCC_CFGR_SW_Msk   (3UL << 0)
#define RCC_CFGR_SW_HSI   (1UL << 0)
#define RCC_CFGR_SW_PLL   (3UL << 0)
#define RCC_CFGR_SWS_Msk  (3UL << 2)
#define RCC_CFGR_SWS_HSI  (1UL << 2)
#define RCC_CFGR_SWS_PLL  (3UL << 2)
#define RCC_CFGR_HPRE_Msk (0xFUL << 4)
#define RCC_CFGR_HPRE_DIV2 (0x8UL << 4)
/* RCC_PLLCFGR */
#define RCC_PLLCFGR_PLLSRC_HSI (2UL << 0)
#define RCC_PLLCFGR_PLLM_Pos 4
#define RCC_PLLCFGR_PLLN_Pos 8
#define RCC_PLLCFGR_PLLREN (1UL << 24)
#define RCC_PLLCFGR_PLLR_Pos 25
/* RCC_APB1ENR1 */
#define RCC_APB1ENR1_PWREN (1UL << 28)
/* PWR */
#define PWR_CR1_VOS_Msk    (3UL << 9)
#define PWR_CR1_VOS_RANGE1 (1UL << 9)
#define PWR_SR2_VOSF       (1UL << 10)
#define PWR_CR5_R1MODE     (1UL << 8)
/* FLASH_ACR */
#define FLASH_ACR_LATENCY_Msk 0xFUL

#endif
