/*
 * stm32l4r5_gpio.h - the STM32L4R5 GPIO, SYSCFG and EXTI registers the gpio
 * example uses, CMSIS style, written from RM0432 (GPIO registers, SYSCFG
 * EXTICR, EXTI registers and the NVIC vector table). Our own definitions.
 */
#ifndef STM32L4R5_GPIO_H
#define STM32L4R5_GPIO_H

#include <stdint.h>

typedef struct {
    volatile uint32_t MODER, OTYPER, OSPEEDR, PUPDR, IDR, ODR, BSRR, LCKR;
    volatile uint32_t AFR[2];
    volatile uint32_t BRR;
} GPIO_TypeDef;

typedef struct {
    volatile uint32_t MEMRMP, CFGR1;
    volatile uint32_t EXTICR[4];
    volatile uint32_t SCSR, CFGR2, SWPR, SKR;
} SYSCFG_TypeDef;

typedef struct {
    volatile uint32_t IMR1, EMR1, RTSR1, FTSR1, SWIER1, PR1;
    uint32_t RESERVED1[2];
    volatile uint32_t IMR2, EMR2, RTSR2, FTSR2, SWIER2, PR2;
} EXTI_TypeDef;

#define GPIOA  ((GPIO_TypeDef *)0x48000000UL)
#define GPIOB  ((GPIO_TypeDef *)0x48000400UL)
#define GPIOC  ((GPIO_TypeDef *)0x48000800UL)
#define SYSCFG ((SYSCFG_TypeDef *)0x40010000UL)
#define EXTI   ((EXTI_TypeDef *)0x40010400UL)

#define RCC_AHB2ENR_GPIOAEN  (1UL << 0)
#define RCC_APB2ENR_SYSCFGEN (1UL << 0)

#define GPIO_PIN_0 (1UL << 0)
#define GPIO_PIN_5 (1UL << 5)

/* NVIC positions (RM0432 vector table). */
#define EXTI0_IRQn   6
#define EXTI9_5_IRQn 23

#endif
