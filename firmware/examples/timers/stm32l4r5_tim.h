/*
 * stm32l4r5_tim.h - the STM32L4R5 timer registers the timers example uses,
 * CMSIS style, written from RM0432 ('General-purpose timers (TIM2/TIM3/TIM4/
 * TIM5)', 'Basic timers (TIM6/TIM7)', RCC_APB1ENR1 and RCC_CFGR in §6.4).
 * Our own definitions; no vendor header.
 */
#ifndef STM32L4R5_TIM_H
#define STM32L4R5_TIM_H

#include <stdint.h>

typedef struct {
    volatile uint32_t CR1, CR2, SMCR, DIER, SR, EGR, CCMR1, CCMR2, CCER, CNT, PSC, ARR, RCR, CCR1, CCR2, CCR3, CCR4;
} TIM_TypeDef;

#define TIM2 ((TIM_TypeDef *)0x40000000UL)
#define TIM3 ((TIM_TypeDef *)0x40000400UL)
#define TIM6 ((TIM_TypeDef *)0x40001000UL)

#define TIM2_IRQn 28
#define TIM3_IRQn 29
#define TIM6_DAC_IRQn 54

#define TIM_CR1_CEN  (1UL << 0)
#define TIM_CR1_UDIS (1UL << 1)
#define TIM_CR1_URS  (1UL << 2)
#define TIM_CR1_OPM  (1UL << 3)
#define TIM_CR1_DIR  (1UL << 4)
#define TIM_CR1_ARPE (1UL << 7)
#define TIM_DIER_UIE   (1UL << 0)
#define TIM_DIER_CC1IE (1UL << 1)
#define TIM_SR_UIF   (1UL << 0)
#define TIM_SR_CC1IF (1UL << 1)
#define TIM_EGR_UG   (1UL << 0)

#define RCC_APB1ENR1_TIM2EN (1UL << 0)
#define RCC_APB1ENR1_TIM3EN (1UL << 1)
#define RCC_APB1ENR1_TIM6EN (1UL << 4)
#define RCC_CFGR_PPRE1_Msk  (7UL << 8)
#define RCC_CFGR_PPRE1_DIV4 (5UL << 8)

#endif
