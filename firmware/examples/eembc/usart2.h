/*
 * usart2.h - the STM32L4R5 registers the runner firmware's serial port uses,
 * CMSIS style, written from RM0432: USART (§53.8), GPIO (§8.5), the RCC
 * enables (§6.4.17, §6.4.19). Our own definitions; no vendor header.
 */
#ifndef EEMBC_USART2_H
#define EEMBC_USART2_H

#include <stdint.h>

typedef struct {
    volatile uint32_t CR1, CR2, CR3, BRR, GTPR, RTOR, RQR, ISR, ICR, RDR, TDR, PRESC;
} USART_TypeDef;

typedef struct {
    volatile uint32_t MODER, OTYPER, OSPEEDR, PUPDR, IDR, ODR, BSRR, LCKR, AFR[2], BRR;
} GPIO_TypeDef;

#define USART2 ((USART_TypeDef *)0x40004400UL)
#define GPIOA  ((GPIO_TypeDef *)0x48000000UL)

#define USART_CR1_UE    (1UL << 0)
#define USART_CR1_RE    (1UL << 2)
#define USART_CR1_TE    (1UL << 3)
#define USART_ISR_RXNE  (1UL << 5)
#define USART_ISR_TC    (1UL << 6)
#define USART_ISR_TXE   (1UL << 7)
#define USART_ISR_TEACK (1UL << 21)
#define USART_ISR_REACK (1UL << 22)
#define USART_ISR_ORE   (1UL << 3)
#define USART_ICR_ORECF (1UL << 3)

#define RCC_AHB2ENR_GPIOAEN   (1UL << 0)
#define RCC_APB1ENR1_USART2EN (1UL << 17)

#endif
