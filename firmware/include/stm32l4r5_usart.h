/*
 * stm32l4r5_usart.h - the STM32L4R5 U(S)ART registers, CMSIS style, written
 * from RM0432 (STM32L4+ reference manual): the USART and LPUART register
 * maps, their bases on the APB buses, the RCC clock enables and kernel clock
 * selection (RCC_APB1ENR1, RCC_APB2ENR, RCC_CCIPR), and GPIOA for the USART2
 * pins (PA2 TX, PA3 RX, alternate function 7). Our own definitions; no vendor
 * header. Use with stm32l4r5_regs.h (RCC_TypeDef).
 */
#ifndef STM32L4R5_USART_H
#define STM32L4R5_USART_H

#include <stdint.h>

typedef struct {
    volatile uint32_t CR1;   /* 0x00 */
    volatile uint32_t CR2;   /* 0x04 */
    volatile uint32_t CR3;   /* 0x08 */
    volatile uint32_t BRR;   /* 0x0C */
    volatile uint32_t GTPR;  /* 0x10 (USART only) */
    volatile uint32_t RTOR;  /* 0x14 (USART only) */
    volatile uint32_t RQR;   /* 0x18 */
    volatile uint32_t ISR;   /* 0x1C */
    volatile uint32_t ICR;   /* 0x20 */
    volatile uint32_t RDR;   /* 0x24 */
    volatile uint32_t TDR;   /* 0x28 */
    volatile uint32_t PRESC; /* 0x2C */
} USART_TypeDef;

#define USART1  ((USART_TypeDef *)0x40013800UL)
#define USART2  ((USART_TypeDef *)0x40004400UL)
#define USART3  ((USART_TypeDef *)0x40004800UL)
#define UART4   ((USART_TypeDef *)0x40004C00UL)
#define UART5   ((USART_TypeDef *)0x40005000UL)
#define LPUART1 ((USART_TypeDef *)0x40008000UL)

/* NVIC lines (RM0432 vector table). */
#define USART1_IRQn  37
#define USART2_IRQn  38
#define USART3_IRQn  39
#define UART4_IRQn   52
#define UART5_IRQn   53
#define LPUART1_IRQn 70

/* USART_CR1 */
#define USART_CR1_UE     (1UL << 0)
#define USART_CR1_RE     (1UL << 2)
#define USART_CR1_TE     (1UL << 3)
#define USART_CR1_IDLEIE (1UL << 4)
#define USART_CR1_RXNEIE (1UL << 5)
#define USART_CR1_TCIE   (1UL << 6)
#define USART_CR1_TXEIE  (1UL << 7)
#define USART_CR1_PCE    (1UL << 10)
#define USART_CR1_M0     (1UL << 12)
#define USART_CR1_OVER8  (1UL << 15)
#define USART_CR1_M1     (1UL << 28)
#define USART_CR1_FIFOEN (1UL << 29)
/* USART_CR2 */
#define USART_CR2_STOP_Msk (3UL << 12)
#define USART_CR2_LINEN    (1UL << 14)
#define USART_CR2_CLKEN    (1UL << 11)
/* USART_CR3 */
#define USART_CR3_EIE    (1UL << 0)
#define USART_CR3_IREN   (1UL << 1)
#define USART_CR3_HDSEL  (1UL << 3)
#define USART_CR3_SCEN   (1UL << 5)
#define USART_CR3_OVRDIS (1UL << 12)
/* USART_ISR */
#define USART_ISR_ORE   (1UL << 3)
#define USART_ISR_IDLE  (1UL << 4)
#define USART_ISR_RXNE  (1UL << 5)
#define USART_ISR_TC    (1UL << 6)
#define USART_ISR_TXE   (1UL << 7)
#define USART_ISR_TEACK (1UL << 21)
#define USART_ISR_REACK (1UL << 22)
/* USART_ICR */
#define USART_ICR_ORECF  (1UL << 3)
#define USART_ICR_IDLECF (1UL << 4)
#define USART_ICR_TCCF   (1UL << 6)

/* RCC: clock enables and the kernel clock selection. */
#define RCC_APB1ENR1_USART2EN (1UL << 17)
#define RCC_APB1ENR1_USART3EN (1UL << 18)
#define RCC_APB1ENR1_UART4EN  (1UL << 19)
#define RCC_APB1ENR1_UART5EN  (1UL << 20)
#define RCC_APB1ENR2_LPUART1EN (1UL << 0)
#define RCC_APB2ENR_USART1EN  (1UL << 14)
#define RCC_AHB2ENR_GPIOAEN   (1UL << 0)
#define RCC_CCIPR_USART2SEL_Msk (3UL << 2) /* 00 PCLK1, 01 SYSCLK, 10 HSI16, 11 LSE */
#define RCC_CFGR_PPRE1_Pos 8

/* GPIOA (RM0432 'GPIO registers'): mode and alternate function of PA2/PA3. */
typedef struct {
    volatile uint32_t MODER, OTYPER, OSPEEDR, PUPDR, IDR, ODR, BSRR, LCKR, AFR[2];
} GPIO_TypeDef;
#define GPIOA ((GPIO_TypeDef *)0x48000000UL)

#endif
