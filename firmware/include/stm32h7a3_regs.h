/*
 * stm32h7a3_regs.h - the few STM32H7A3 registers the bring-up firmware uses,
 * CMSIS style, written from RM0455 (STM32H7A3/B3/B0 reference manual): RCC
 * (§7.7), PWR (§6.8), FLASH (§4.9), and for the peripheral firmware
 * (examples/h7a3) GPIO, SYSCFG, EXTI, USART, TIM, LPTIM (offsets and bits as
 * listed, with their sources, in devices/stm32h7a3.toml). Our own
 * definitions; no vendor header.
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
    volatile uint32_t PLL2DIVR, PLL2FRACR, PLL3DIVR, PLL3FRACR; /* 0x38..0x44 */
    uint32_t RESERVED2;
    volatile uint32_t CDCCIPR, CDCCIP1R, CDCCIP2R, SRDCCIPR; /* 0x4C..0x58 */
    uint32_t RESERVED3;
    volatile uint32_t CIER, CIFR, CICR; /* 0x60..0x68 */
    uint32_t RESERVED4;
    volatile uint32_t BDCR, CSR; /* 0x70, 0x74 */
    uint32_t RESERVED5[22];
    volatile uint32_t RSR, AHB3ENR, AHB1ENR, AHB2ENR, AHB4ENR, APB3ENR, APB1LENR, APB1HENR, APB2ENR, APB4ENR; /* 0xD0..0xF4 */
} RCC_TypeDef;

typedef struct {
    volatile uint32_t CR1, CSR1, CR2, CR3, CPUCR;
    uint32_t RESERVED0;
    volatile uint32_t SRDCR; /* 0x18 */
} PWR_TypeDef;

typedef struct {
    volatile uint32_t ACR;
} FLASH_TypeDef;

typedef struct {
    volatile uint32_t MODER, OTYPER, OSPEEDR, PUPDR, IDR, ODR, BSRR, LCKR, AFR[2];
} GPIO_TypeDef;

typedef struct {
    uint32_t RESERVED0;
    volatile uint32_t PMCR, EXTICR[4]; /* 0x04, 0x08..0x14 */
} SYSCFG_TypeDef;

typedef struct {
    volatile uint32_t RTSR1, FTSR1, SWIER1, D3PMR1, D3PCR1L, D3PCR1H; /* 0x00..0x14 */
    uint32_t RESERVED0[26];
    volatile uint32_t CPUIMR1, CPUEMR1, CPUPR1; /* 0x80..0x88 */
} EXTI_TypeDef;

typedef struct {
    volatile uint32_t CR1, CR2, CR3, BRR, GTPR, RTOR, RQR, ISR, ICR, RDR, TDR, PRESC;
} USART_TypeDef;

typedef struct {
    volatile uint32_t CR1, CR2, SMCR, DIER, SR, EGR, CCMR1, CCMR2, CCER, CNT, PSC, ARR;
} TIM_TypeDef;

typedef struct {
    volatile uint32_t ISR, ICR, IER, CFGR, CR, CMP, ARR, CNT;
} LPTIM_TypeDef;

#define FLASH ((FLASH_TypeDef *)0x52002000UL)
#define RCC   ((RCC_TypeDef *)0x58024400UL)
#define PWR   ((PWR_TypeDef *)0x58024800UL)
#define GPIOA  ((GPIO_TypeDef *)0x58020000UL)
#define GPIOB  ((GPIO_TypeDef *)0x58020400UL)
#define SYSCFG ((SYSCFG_TypeDef *)0x58000400UL)
#define EXTI   ((EXTI_TypeDef *)0x58000000UL)
#define USART3 ((USART_TypeDef *)0x40004800UL)
#define TIM2   ((TIM_TypeDef *)0x40000000UL)
#define TIM6   ((TIM_TypeDef *)0x40001000UL)
#define LPTIM1 ((LPTIM_TypeDef *)0x40002400UL)

/* IRQ numbers (RM0455 vector table). */
#define EXTI0_IRQn    6
#define TIM2_IRQn     28
#define USART3_IRQn   39
#define TIM6_DAC_IRQn 54
#define LPTIM1_IRQn   93

/* RCC_CFGR.TIMPRE, RCC_CDCCIP2R, RCC_BDCR, RCC_CSR, enables */
#define RCC_CFGR_TIMPRE               (1UL << 15)
#define RCC_CDCCIP2R_USART234578SEL_Msk 7UL
#define RCC_CDCCIP2R_LPTIM1SEL_Pos    28
#define RCC_CDCCIP2R_LPTIM1SEL_Msk    (7UL << 28)
#define RCC_CDCCIP2R_LPTIM1SEL_LSI    (4UL << 28)
#define RCC_CSR_LSION                 (1UL << 0)
#define RCC_CSR_LSIRDY                (1UL << 1)
#define RCC_AHB4ENR_GPIOAEN           (1UL << 0)
#define RCC_AHB4ENR_GPIOBEN           (1UL << 1)
#define RCC_APB1LENR_TIM2EN           (1UL << 0)
#define RCC_APB1LENR_TIM6EN           (1UL << 4)
#define RCC_APB1LENR_LPTIM1EN         (1UL << 9)
#define RCC_APB1LENR_USART3EN         (1UL << 18)
#define RCC_APB4ENR_SYSCFGEN          (1UL << 1)
/* PWR_CR1.DBP, PWR_CPUCR */
#define PWR_CR1_DBP       (1UL << 8)
#define PWR_CPUCR_RETDS_CD (1UL << 0)
#define PWR_CPUCR_PDDS_SRD (1UL << 2)
#define PWR_CPUCR_STOPF    (1UL << 5)
#define PWR_CPUCR_SBF      (1UL << 6)
#define PWR_CPUCR_CSSF     (1UL << 9)
/* USART */
#define USART_CR1_UE     (1UL << 0)
#define USART_CR1_RE     (1UL << 2)
#define USART_CR1_TE     (1UL << 3)
#define USART_CR1_M0     (1UL << 12)
#define USART_CR1_OVER8  (1UL << 15)
#define USART_CR1_M1     (1UL << 28)
#define USART_CR1_PCE    (1UL << 10)
#define USART_ISR_RXNE   (1UL << 5)
#define USART_ISR_TC     (1UL << 6)
#define USART_ISR_TXE    (1UL << 7)
#define USART_ISR_TEACK  (1UL << 21)
#define USART_ISR_REACK  (1UL << 22)
/* TIM */
#define TIM_CR1_CEN  (1UL << 0)
#define TIM_CR1_URS  (1UL << 2)
#define TIM_DIER_UIE (1UL << 0)
#define TIM_SR_UIF   (1UL << 0)
#define TIM_EGR_UG   (1UL << 0)
/* LPTIM */
#define LPTIM_ISR_ARRM     (1UL << 1)
#define LPTIM_ISR_ARROK    (1UL << 4)
#define LPTIM_IER_ARRMIE   (1UL << 1)
#define LPTIM_CFGR_PRESC_Pos 9
#define LPTIM_CR_ENABLE    (1UL << 0)
#define LPTIM_CR_CNTSTRT   (1UL << 2)

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
