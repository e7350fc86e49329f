/*
 * stm32l4r5_lowpower_regs.h - the STM32L4R5 registers the low-power example
 * uses beyond stm32l4r5_regs.h, CMSIS style, written from RM0432 (STM32L4+
 * reference manual): RTC, LPTIM1, EXTI, the PWR/RCC low-power bits, and the
 * NVIC. Our own definitions; no vendor header.
 */
#ifndef STM32L4R5_LOWPOWER_REGS_H
#define STM32L4R5_LOWPOWER_REGS_H

#include <stdint.h>

#include "stm32l4r5_regs.h"

typedef struct {
    volatile uint32_t TR, DR, CR, ISR, PRER, WUTR;
    uint32_t RESERVED0;
    volatile uint32_t ALRMAR, ALRMBR, WPR, SSR, SHIFTR, TSTR, TSDR, TSSSR, CALR, TAMPCR, ALRMASSR, ALRMBSSR, OR;
    volatile uint32_t BKPR[32]; /* 0x50 */
} RTC_TypeDef;

typedef struct {
    volatile uint32_t ISR, ICR, IER, CFGR, CR, CMP, ARR, CNT, OR;
} LPTIM_TypeDef;

typedef struct {
    volatile uint32_t IMR1, EMR1, RTSR1, FTSR1, SWIER1, PR1;
} EXTI_TypeDef;

#define RTC    ((RTC_TypeDef *)0x40002800UL)
#define LPTIM1 ((LPTIM_TypeDef *)0x40007C00UL)
#define EXTI   ((EXTI_TypeDef *)0x40010400UL)


/* IRQ numbers (STM32L4 vector table) */
#define RTC_WKUP_IRQn 3
#define LPTIM1_IRQn   65
#define RTC_EXTI_LINE_WAKEUPTIMER (1UL << 20)

/* PWR */
#define PWR_CR1_LPMS_Msk     (7UL << 0)
#define PWR_CR1_LPMS_STOP0   (0UL << 0)
#define PWR_CR1_LPMS_STOP1   (1UL << 0)
#define PWR_CR1_LPMS_STOP2   (2UL << 0)
#define PWR_CR1_LPMS_STANDBY (3UL << 0)
#define PWR_CR1_DBP          (1UL << 8)
#define PWR_SR1_SBF          (1UL << 8)
#define PWR_SCR_CSBF         (1UL << 8)
#define PWR_SCR_CWUF         (0x1FUL)

/* RCC */
#define RCC_APB1ENR1_RTCAPBEN (1UL << 10)
#define RCC_APB1ENR1_LPTIM1EN (1UL << 31)
#define RCC_BDCR_LSEON        (1UL << 0)
#define RCC_BDCR_LSERDY       (1UL << 1)
#define RCC_BDCR_RTCSEL_Msk   (3UL << 8)
#define RCC_BDCR_RTCSEL_LSE   (1UL << 8)
#define RCC_BDCR_RTCEN        (1UL << 15)
#define RCC_CSR_LSION         (1UL << 0)
#define RCC_CSR_LSIRDY        (1UL << 1)
#define RCC_CCIPR_LPTIM1SEL_Msk (3UL << 18)
#define RCC_CCIPR_LPTIM1SEL_LSI (1UL << 18)

/* RTC */
#define RTC_ISR_WUTWF (1UL << 2)
#define RTC_ISR_RSF   (1UL << 5)
#define RTC_ISR_INITF (1UL << 6)
#define RTC_ISR_INIT  (1UL << 7)
#define RTC_ISR_WUTF  (1UL << 10)
#define RTC_CR_WUCKSEL_Msk (7UL << 0)
#define RTC_CR_WUTE   (1UL << 10)
#define RTC_CR_WUTIE  (1UL << 14)

/* LPTIM */
#define LPTIM_ISR_ARRM   (1UL << 1)
#define LPTIM_ISR_ARROK  (1UL << 4)
#define LPTIM_IER_ARRMIE (1UL << 1)
#define LPTIM_CR_ENABLE  (1UL << 0)
#define LPTIM_CR_CNTSTRT (1UL << 2)
#define LPTIM_CFGR_PRESC_Pos 9

#endif
