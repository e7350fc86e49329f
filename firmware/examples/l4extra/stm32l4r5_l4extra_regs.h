/*
 * stm32l4r5_l4extra_regs.h - the STM32L4R5 registers the l4extra example uses
 * beyond stm32l4r5_regs.h and the low-power example's header, CMSIS style,
 * written from RM0432: the advanced-control timer TIM1 (§30.4), the RTC
 * calendar and alarm bits, PWR_CR3.RRS. Our own definitions; no vendor header.
 */
#ifndef STM32L4R5_L4EXTRA_REGS_H
#define STM32L4R5_L4EXTRA_REGS_H

#include <stdint.h>

#include "../lowpower/stm32l4r5_lowpower_regs.h"

typedef struct {
    volatile uint32_t CR1, CR2, SMCR, DIER, SR, EGR, CCMR1, CCMR2, CCER, CNT, PSC, ARR, RCR, CCR1, CCR2, CCR3, CCR4, BDTR;
} TIMA_TypeDef;

#define TIM1 ((TIMA_TypeDef *)0x40012C00UL)
#define TIM1_UP_TIM16_IRQn 25
#define RTC_Alarm_IRQn 41
#define RCC_APB2ENR_TIM1EN (1UL << 11)

#define TIM_CR1_CEN  (1UL << 0)
#define TIM_DIER_UIE (1UL << 0)
#define TIM_SR_UIF   (1UL << 0)
#define TIM_EGR_UG   (1UL << 0)

#define RTC_ISR_ALRAWF (1UL << 0)
#define RTC_ISR_ALRAF  (1UL << 8)
#define RTC_CR_ALRAE   (1UL << 8)
#define RTC_CR_ALRAIE  (1UL << 12)
#define RTC_ALRMAR_MSK4 (1UL << 31)
#define RTC_ALRMAR_MSK3 (1UL << 23)
#define RTC_ALRMAR_MSK2 (1UL << 15)
#define RTC_EXTI_LINE_ALARM (1UL << 18)

#define PWR_CR3_RRS (1UL << 8)

#endif
