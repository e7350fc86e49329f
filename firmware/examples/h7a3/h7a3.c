/*
 * h7a3 - the STM32H7A3's peripherals the way CubeMX/HAL firmware drives them,
 * at register level (RM0455): the SystemClock_Config bring-up to 280 MHz of
 * clock_h7.h (CPU 280 MHz, AHB 280 MHz, APB1/APB2 140 MHz, timers 280 MHz),
 * then one of
 *
 *   h7a3 echo        USART3 (the NUCLEO-H7A3ZI-Q virtual COM port) at 115200
 *                    baud 8N1 from PCLK1: HAL_UART_Receive/Transmit polling,
 *                    every byte echoed until a '\n' has been echoed
 *   h7a3 tx          64 bytes on USART3, timed with DWT CYCCNT from the first
 *                    TXE wait to TC; prints the cycles and BRR
 *   h7a3 tim N       TIM6 update interrupt at 1 kHz (PSC 279, ARR 999 on the
 *                    280 MHz timer clock, HAL_TIM_Base_Start_IT); the cycles
 *                    of N periods between the second and the last interrupt
 *   h7a3 tim2 N      the same on TIM2 (general-purpose, 32-bit) at 10 kHz
 *                    (PSC 0, ARR 27999)
 *   h7a3 stop N      LPTIM1 from the LSI / 32 (ARR 99: 1 kHz / 100 = 10 Hz)
 *                    wakes the core from Stop (PWR_CPUCR.PDDS_SRD = 0,
 *                    SLEEPDEEP, WFI) N times
 *   h7a3 exti        EXTI line 0: a software interrupt (SWIER1) and a rising
 *                    edge of PB0 routed by SYSCFG_EXTICR1, each reaching EXTI0
 *
 * IRQs above 31 (USART3 39, TIM6 54, LPTIM1 93) are reached through a copy of
 * the vector table in SRAM (SCB->VTOR), as firmware that relocates its table does.
 */
#include <stdlib.h>

#include "mcusim_regs.h"
#include "stm32h7a3_regs.h"
#include "../clock_families/clock_h7.h"

#define SCB_SCR_SLEEPDEEP (1u << 2)
#define PCLK1_HZ 140000000UL
#define BAUD 115200UL

static volatile uint32_t irq_count, first_cycle, last_cycle, exti_hits;

/* ---- vector table in SRAM --------------------------------------------------- */
typedef void (*vector_t)(void);
static vector_t ram_vectors[16 + 160] __attribute__((aligned(1024)));

static void relocate_vectors(void)
{
    const vector_t *flash_vectors = (const vector_t *)SCB_VTOR;
    for (unsigned i = 0; i < 16 + 32; i++) ram_vectors[i] = flash_vectors[i];
    for (unsigned i = 16 + 32; i < 16 + 160; i++) ram_vectors[i] = flash_vectors[16]; /* the default handler's alias */
    SCB_VTOR = (uint32_t)(uintptr_t)ram_vectors;
}

static void nvic_enable(unsigned irq) { NVIC_ISER(irq / 32) = 1UL << (irq % 32); }

/* ---- USART3: HAL_UART_Init, Transmit, Receive (polling) ----------------------- */
static uint32_t brr;

static void uart_init(void)
{
    RCC->APB1LENR |= RCC_APB1LENR_USART3EN;
    (void)RCC->APB1LENR;
    RCC->CDCCIP2R &= ~RCC_CDCCIP2R_USART234578SEL_Msk; /* rcc_pclk1 */
    USART3->CR1 &= ~USART_CR1_UE;
    USART3->CR1 = (USART3->CR1 & ~(USART_CR1_M1 | USART_CR1_M0 | USART_CR1_PCE | USART_CR1_OVER8)) | USART_CR1_TE | USART_CR1_RE;
    USART3->CR2 = 0;
    USART3->CR3 = 0;
    USART3->PRESC = 0;
    brr = (PCLK1_HZ + BAUD / 2) / BAUD; /* UART_DIV_SAMPLING16 */
    USART3->BRR = brr;
    USART3->CR1 |= USART_CR1_UE;
    WAIT_UNTIL((USART3->ISR & (USART_ISR_TEACK | USART_ISR_REACK)) == (USART_ISR_TEACK | USART_ISR_REACK));
}

static void uart_put(uint8_t c)
{
    WAIT_UNTIL(USART3->ISR & USART_ISR_TXE);
    USART3->TDR = c;
}

static uint8_t uart_get(void)
{
    WAIT_UNTIL(USART3->ISR & USART_ISR_RXNE);
    return (uint8_t)USART3->RDR;
}

static int run_echo(void)
{
    uart_init();
    unsigned n = 0;
    for (;;) {
        uint8_t c = uart_get();
        uart_put(c);
        n++;
        if (c == '\n') break;
    }
    WAIT_UNTIL(USART3->ISR & USART_ISR_TC);
    printf("echo: %u bytes\n", n);
    return 0;
}

static int run_tx(void)
{
    static const char text[] = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcde\n";
    uart_init();
    uint32_t t0 = mcusim_cycles();
    for (unsigned i = 0; i < 64; i++) uart_put((uint8_t)text[i]);
    WAIT_UNTIL(USART3->ISR & USART_ISR_TC);
    uint32_t t1 = mcusim_cycles();
    printf("tx: 64 bytes 8N1, BRR %lu, PCLK1 %lu Hz, %lu cycles\n", (unsigned long)brr, PCLK1_HZ, (unsigned long)(t1 - t0));
    return 0;
}

/* ---- timers: HAL_TIM_Base_Init + HAL_TIM_Base_Start_IT ------------------------ */
static volatile uint32_t irq_target;
static TIM_TypeDef *volatile active_tim;

static void tim_irq(void)
{
    if (active_tim->SR & TIM_SR_UIF) {
        active_tim->SR = ~TIM_SR_UIF; /* __HAL_TIM_CLEAR_IT: rc_w0 */
        uint32_t now = mcusim_cycles();
        if (irq_count == 1) first_cycle = now; /* from the second: the first entry takes a few cycles more */
        last_cycle = now;
        if (++irq_count >= irq_target) active_tim->CR1 &= ~TIM_CR1_CEN;
    }
}

void IRQ28_Handler(void) { tim_irq(); } /* TIM2 (in the bundled table) */

static int run_tim(TIM_TypeDef *tim, unsigned irq, uint32_t psc, uint32_t arr, uint32_t n)
{
    relocate_vectors();
    ram_vectors[16 + irq] = tim_irq;
    RCC->APB1LENR |= tim == TIM2 ? RCC_APB1LENR_TIM2EN : RCC_APB1LENR_TIM6EN;
    (void)RCC->APB1LENR;
    active_tim = tim;
    irq_target = n + 2; /* n periods between the second and the last interrupt */
    tim->PSC = psc;
    tim->ARR = arr;
    tim->EGR = TIM_EGR_UG; /* load PSC/ARR */
    tim->SR = ~TIM_SR_UIF;
    tim->DIER |= TIM_DIER_UIE;
    nvic_enable(irq);
    mcusim_cycles_init();
    tim->CR1 |= TIM_CR1_CEN;
    while (irq_count < irq_target) __asm volatile("wfi");
    uint32_t cycles = last_cycle - first_cycle;
    printf("tim: %lu periods of PSC %lu ARR %lu: %lu cycles, %lu per period\n", (unsigned long)n, (unsigned long)psc,
           (unsigned long)arr, (unsigned long)cycles, (unsigned long)(cycles / n));
    return 0;
}

/* ---- LPTIM1 wake-up from Stop ------------------------------------------------- */
static volatile uint32_t wakeups;
static volatile uint32_t work_sink;

static void lptim1_irq(void)
{
    if (LPTIM1->ISR & LPTIM_ISR_ARRM) {
        LPTIM1->ICR = LPTIM_ISR_ARRM;
        wakeups++;
    }
}

/* LSI on, LPTIM1 from LSI / 32 (HAL_RCCEx_PeriphCLKConfig, HAL_LPTIM_Init), HAL_LPTIM_Counter_Start_IT(arr). */
static void lptim_start_it(uint32_t arr)
{
    RCC->CSR |= RCC_CSR_LSION;
    WAIT_UNTIL(RCC->CSR & RCC_CSR_LSIRDY);
    RCC->CDCCIP2R = (RCC->CDCCIP2R & ~RCC_CDCCIP2R_LPTIM1SEL_Msk) | RCC_CDCCIP2R_LPTIM1SEL_LSI;
    RCC->APB1LENR |= RCC_APB1LENR_LPTIM1EN;
    (void)RCC->APB1LENR;
    LPTIM1->CFGR = 5UL << LPTIM_CFGR_PRESC_Pos; /* /32 */
    LPTIM1->IER = LPTIM_IER_ARRMIE;
    LPTIM1->CR |= LPTIM_CR_ENABLE;
    LPTIM1->ICR = LPTIM_ISR_ARROK;
    LPTIM1->ARR = arr;
    WAIT_UNTIL(LPTIM1->ISR & LPTIM_ISR_ARROK);
    LPTIM1->ICR = LPTIM_ISR_ARROK;
    LPTIM1->CR |= LPTIM_CR_CNTSTRT;
    nvic_enable(LPTIM1_IRQn);
}

/* HAL_PWR_EnterSTOPMode: the SmartRun domain in Stop too (PDDS_SRD = 0), SLEEPDEEP, WFI. */
static void enter_stop(void)
{
    PWR->CPUCR &= ~(PWR_CPUCR_PDDS_SRD | PWR_CPUCR_RETDS_CD);
    SCB_SCR |= SCB_SCR_SLEEPDEEP;
    __asm volatile("dsb\n wfi\n isb");
    SCB_SCR &= ~SCB_SCR_SLEEPDEEP;
}

static int run_stop(uint32_t n)
{
    relocate_vectors();
    ram_vectors[16 + LPTIM1_IRQn] = lptim1_irq;
    lptim_start_it(99);
    unsigned entries = 0;
    while (wakeups < n) {
        for (uint32_t i = 0; i < 2000; i++) work_sink += i;
        enter_stop();
        entries++;
    }
    PWR->CPUCR |= PWR_CPUCR_CSSF; /* clear STOPF/SBF as HAL's __HAL_PWR_CLEAR_FLAG does */
    printf("stop: %lu wake-ups by LPTIM1 in %u Stop entries\n", (unsigned long)wakeups, entries);
    return 0;
}

/* ---- EXTI line 0: software interrupt and PB0 rising edge ------------------------ */
void IRQ6_Handler(void) /* EXTI0: HAL_GPIO_EXTI_IRQHandler */
{
    if (EXTI->CPUPR1 & 1UL) {
        EXTI->CPUPR1 = 1UL;
        exti_hits++;
    }
}

/* Spin until `n` EXTI0 interrupts were taken, or give up after a bounded number of polls. */
static void wait_hits(uint32_t n)
{
    for (unsigned i = 0; i < 10000 && exti_hits < n; i++) __asm volatile("nop");
}

static int run_exti(void)
{
    RCC->APB4ENR |= RCC_APB4ENR_SYSCFGEN;
    RCC->AHB4ENR |= RCC_AHB4ENR_GPIOBEN;
    (void)RCC->AHB4ENR;
    /* HAL_GPIO_Init(PB0, output push-pull), then the EXTI0 line from port B, rising edge, unmasked. */
    GPIOB->MODER = (GPIOB->MODER & ~3UL) | 1UL;
    GPIOB->BSRR = 1UL << 16; /* low */
    SYSCFG->EXTICR[0] = (SYSCFG->EXTICR[0] & ~0xFUL) | 1UL; /* PB */
    EXTI->RTSR1 |= 1UL;
    EXTI->FTSR1 &= ~1UL;
    EXTI->CPUIMR1 |= 1UL;
    nvic_enable(EXTI0_IRQn);
    /* HAL_EXTI_GenerateSWI */
    EXTI->SWIER1 = 1UL;
    wait_hits(1);
    uint32_t soft = exti_hits;
    GPIOB->BSRR = 1UL; /* rising edge */
    wait_hits(soft + 1);
    uint32_t edge = exti_hits - soft;
    GPIOB->BSRR = 1UL << 16; /* falling edge: not selected */
    wait_hits(soft + edge + 1); /* gives up: no interrupt comes */
    uint32_t after_fall = exti_hits - soft - edge;
    printf("exti: software interrupt %lu, PB0 rising edge %lu, falling edge %lu\n", (unsigned long)soft,
           (unsigned long)edge, (unsigned long)after_fall);
    return soft == 1 && edge == 1 && after_fall == 0 ? 0 : 1;
}

int main(void)
{
    if (run_bringup(&h7_bringup) != 0) return 1;
    static char cmdline[128];
    mcusim_cmdline(cmdline, sizeof cmdline);
    char *words[4] = {0};
    unsigned nw = 0;
    for (char *t = strtok(cmdline, " "); t && nw < 4; t = strtok(NULL, " ")) words[nw++] = t;
    const char *mode = nw > 1 ? words[1] : "";
    const uint32_t n = nw > 2 ? (uint32_t)strtoul(words[2], NULL, 0) : 5;
    mcusim_cycles_init();
    if (strcmp(mode, "echo") == 0) return run_echo();
    if (strcmp(mode, "tx") == 0) return run_tx();
    if (strcmp(mode, "tim") == 0) return run_tim(TIM6, TIM6_DAC_IRQn, 279, 999, n);
    if (strcmp(mode, "tim2") == 0) return run_tim(TIM2, TIM2_IRQn, 0, 27999, n);
    if (strcmp(mode, "stop") == 0) return run_stop(n);
    if (strcmp(mode, "exti") == 0) return run_exti();
    printf("modes: echo, tx, tim N, tim2 N, stop N, exti\n");
    return 0;
}
