/*
 * uart - a USART2 console on the STM32L4R5, at register level as ST's HAL
 * does it (RM0432 'USART'): the clock brought up to 120 MHz (as clockconfig
 * does), the USART2 and GPIOA clocks enabled in RCC, PA2/PA3 on alternate
 * function 7, 115200 baud 8N1 with BRR = (PCLK1 + 115200 / 2) / 115200
 * (HAL's UART_DIV_SAMPLING16), UE then TEACK/REACK awaited
 * (UART_CheckIdleState). Output is HAL_UART_Transmit's polling loop (TXE
 * before each byte, TC at the end); input HAL_UART_Receive's (RXNE) or
 * HAL_UART_Receive_IT's (RXNEIE and EIE, the USART2 IRQ through the NVIC).
 *
 *   uart         prints its settings, then sends 64 bytes and prints the DWT
 *                cycles the transmit took (from the first TXE wait to TC)
 *   uart echo    echoes what it receives: polled until a '\n', then by
 *                interrupt until the next '\n'; then prints the counts
 *   uart txit    sends a line as HAL_UART_Transmit_IT does (TXEIE: one byte
 *                per interrupt, then TCIE for the end) and prints the
 *                interrupts taken and the cycles until TC
 */
#include <stdio.h>
#include <string.h>

#include "mcusim.h"
#include "stm32l4r5_regs.h"
#include "stm32l4r5_usart.h"

#define WAIT_UNTIL(cond) \
    do {                 \
    } while (!(cond))

/* SystemClock_Config: HSI16 -> PLL 120 MHz, Range 1 boost, 5 wait states (see clockconfig). */
static void system_clock_config(void)
{
    RCC->APB1ENR1 |= RCC_APB1ENR1_PWREN;
    (void)RCC->APB1ENR1;
    PWR->CR1 = (PWR->CR1 & ~PWR_CR1_VOS_Msk) | PWR_CR1_VOS_RANGE1;
    WAIT_UNTIL((PWR->SR2 & PWR_SR2_VOSF) == 0);
    PWR->CR5 &= ~PWR_CR5_R1MODE;
    RCC->CR |= RCC_CR_HSION;
    WAIT_UNTIL(RCC->CR & RCC_CR_HSIRDY);
    RCC->CR &= ~RCC_CR_PLLON;
    WAIT_UNTIL((RCC->CR & RCC_CR_PLLRDY) == 0);
    RCC->PLLCFGR = RCC_PLLCFGR_PLLSRC_HSI | (1UL << RCC_PLLCFGR_PLLM_Pos) | (30UL << RCC_PLLCFGR_PLLN_Pos) |
                   (0UL << RCC_PLLCFGR_PLLR_Pos) | RCC_PLLCFGR_PLLREN;
    RCC->CR |= RCC_CR_PLLON;
    WAIT_UNTIL(RCC->CR & RCC_CR_PLLRDY);
    FLASH->ACR = (FLASH->ACR & ~FLASH_ACR_LATENCY_Msk) | 5UL;
    WAIT_UNTIL((FLASH->ACR & FLASH_ACR_LATENCY_Msk) == 5UL);
    RCC->CFGR = (RCC->CFGR & ~RCC_CFGR_HPRE_Msk) | RCC_CFGR_HPRE_DIV2;
    RCC->CFGR = (RCC->CFGR & ~RCC_CFGR_SW_Msk) | RCC_CFGR_SW_PLL;
    WAIT_UNTIL((RCC->CFGR & RCC_CFGR_SWS_Msk) == RCC_CFGR_SWS_PLL);
    for (volatile int i = 0; i < 100; i++) {
    }
    RCC->CFGR &= ~RCC_CFGR_HPRE_Msk;
}

/* PCLK1 from the registers: the PLL as configured above (HSI16 / M * N / R), through HPRE and PPRE1. */
static unsigned long pclk1_hz(void)
{
    uint32_t p = RCC->PLLCFGR;
    unsigned long m = ((p >> RCC_PLLCFGR_PLLM_Pos) & 0xFUL) + 1;
    unsigned long n = (p >> RCC_PLLCFGR_PLLN_Pos) & 0x7FUL;
    unsigned long r = 2 * (((p >> RCC_PLLCFGR_PLLR_Pos) & 3UL) + 1);
    unsigned long hclk = 16000000UL / m * n / r;
    unsigned long hpre = (RCC->CFGR >> 4) & 0xFUL, ppre1 = (RCC->CFGR >> RCC_CFGR_PPRE1_Pos) & 7UL;
    static const unsigned char ahb_shift[8] = {1, 2, 3, 4, 6, 7, 8, 9};
    if (hpre >= 8) hclk >>= ahb_shift[hpre - 8];
    return ppre1 >= 4 ? hclk >> (ppre1 - 3) : hclk;
}

static unsigned long g_brr;

/* HAL_UART_MspInit + HAL_UART_Init for USART2, 8N1, no flow control, 16x oversampling. */
static void usart2_init(unsigned long baud)
{
    RCC->APB1ENR1 |= RCC_APB1ENR1_USART2EN;
    (void)RCC->APB1ENR1;
    RCC->AHB2ENR |= RCC_AHB2ENR_GPIOAEN;
    (void)RCC->AHB2ENR;
    GPIOA->MODER = (GPIOA->MODER & ~(0xFUL << 4)) | (0xAUL << 4);      /* PA2, PA3: alternate function */
    GPIOA->AFR[0] = (GPIOA->AFR[0] & ~(0xFFUL << 8)) | (0x77UL << 8); /* AF7: USART2 */
    RCC->CCIPR &= ~RCC_CCIPR_USART2SEL_Msk;                          /* kernel clock: PCLK1 */

    USART2->CR1 &= ~USART_CR1_UE;
    USART2->CR1 = (USART2->CR1 & ~(USART_CR1_M1 | USART_CR1_M0 | USART_CR1_PCE | USART_CR1_OVER8)) | USART_CR1_TE | USART_CR1_RE;
    USART2->CR2 &= ~USART_CR2_STOP_Msk;
    USART2->CR3 &= ~USART_CR3_OVRDIS;
    USART2->PRESC = 0;
    g_brr = (pclk1_hz() + baud / 2) / baud;
    USART2->BRR = g_brr;
    USART2->CR2 &= ~(USART_CR2_LINEN | USART_CR2_CLKEN);
    USART2->CR3 &= ~(USART_CR3_SCEN | USART_CR3_HDSEL | USART_CR3_IREN);
    USART2->CR1 |= USART_CR1_UE;
    WAIT_UNTIL(USART2->ISR & USART_ISR_TEACK);
    WAIT_UNTIL(USART2->ISR & USART_ISR_REACK);
}

/* HAL_UART_Transmit (polling). */
static void uart_write(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        WAIT_UNTIL(USART2->ISR & USART_ISR_TXE);
        USART2->TDR = (uint8_t)s[i];
    }
    WAIT_UNTIL(USART2->ISR & USART_ISR_TC);
}

static void uart_print(const char *s) { uart_write(s, strlen(s)); }

/* ---- by interrupt: receive (HAL_UART_Receive_IT / UART_RxISR_8BIT) and
 * transmit (HAL_UART_Transmit_IT / UART_TxISR_8BIT, UART_EndTransmit_IT) --- */
static volatile uint8_t rx_ring[64];
static volatile unsigned rx_head, rx_tail, rx_irqs, overruns;
static const char *volatile tx_ptr;
static volatile unsigned tx_left, tx_irqs, tx_done;

void USART2_IRQHandler(void)
{
    uint32_t isr = USART2->ISR, cr1 = USART2->CR1;
    if ((cr1 & USART_CR1_TXEIE) && (isr & USART_ISR_TXE)) {
        tx_irqs++;
        if (tx_left) {
            USART2->TDR = (uint8_t)*tx_ptr;
            tx_ptr++;
            tx_left--;
        }
        if (tx_left == 0) {
            USART2->CR1 &= ~USART_CR1_TXEIE;
            USART2->CR1 |= USART_CR1_TCIE;
        }
        return;
    }
    if ((cr1 & USART_CR1_TCIE) && (isr & USART_ISR_TC)) {
        tx_irqs++;
        USART2->CR1 &= ~USART_CR1_TCIE;
        tx_done = 1;
        return;
    }
    rx_irqs++;
    if (isr & USART_ISR_ORE) {
        USART2->ICR = USART_ICR_ORECF;
        overruns++;
    }
    if (isr & USART_ISR_RXNE) {
        uint8_t b = (uint8_t)USART2->RDR;
        rx_ring[rx_head % sizeof rx_ring] = b;
        rx_head++;
    }
}

/* The startup code's table has 32 IRQs; USART2 is IRQ 38: a copy in SRAM with it, as VTOR allows. */
typedef void (*vector_t)(void);
extern const vector_t g_vector_table[16 + 32];
static vector_t ram_vectors[128] __attribute__((aligned(512)));

static void nvic_enable_usart2(void)
{
    for (unsigned i = 0; i < 16 + 32; i++) ram_vectors[i] = g_vector_table[i];
    ram_vectors[16 + USART2_IRQn] = USART2_IRQHandler;
    SCB_VTOR = (uint32_t)(uintptr_t)ram_vectors;
    __asm volatile("dsb\n isb" ::: "memory");
    /* HAL_NVIC_SetPriority(USART2_IRQn, 5, 0), HAL_NVIC_EnableIRQ(USART2_IRQn) */
    volatile uint8_t *ipr = (volatile uint8_t *)0xE000E400UL;
    ipr[USART2_IRQn] = 5 << 4;
    NVIC_ISER(USART2_IRQn / 32) = 1UL << (USART2_IRQn % 32);
}

static void echo(void)
{
    char line[96];
    unsigned polled = 0, by_irq = 0;
    uint8_t b;
    /* HAL_UART_Receive, one byte at a time, each echoed with HAL_UART_Transmit. */
    do {
        WAIT_UNTIL(USART2->ISR & (USART_ISR_RXNE | USART_ISR_ORE));
        if (USART2->ISR & USART_ISR_ORE) {
            USART2->ICR = USART_ICR_ORECF;
            overruns++;
        }
        b = (uint8_t)USART2->RDR;
        uart_write((const char *)&b, 1);
        polled++;
    } while (b != '\n');

    /* Then by interrupt: RXNEIE and EIE, the handler fills a ring, the main loop sleeps until it has data. */
    nvic_enable_usart2();
    USART2->CR3 |= USART_CR3_EIE;
    USART2->CR1 |= USART_CR1_RXNEIE;
    do {
        __asm volatile("cpsid i" ::: "memory");
        while (rx_tail == rx_head) {
            __asm volatile("wfi\n cpsie i\n isb\n cpsid i" ::: "memory");
        }
        __asm volatile("cpsie i" ::: "memory");
        b = rx_ring[rx_tail % sizeof rx_ring];
        rx_tail++;
        uart_write((const char *)&b, 1);
        by_irq++;
    } while (b != '\n');
    USART2->CR1 &= ~USART_CR1_RXNEIE;

    snprintf(line, sizeof line, "echo: %u bytes polled, %u by interrupt (%u interrupts), %u overruns\n", polled, by_irq, rx_irqs,
             overruns);
    uart_print(line);
}

static void transmit_it(void)
{
    static const char text[] = "sent by interrupt, one byte per TXE\n";
    char line[96];
    nvic_enable_usart2();
    WAIT_UNTIL(USART2->ISR & USART_ISR_TC);
    uint32_t t0 = mcusim_cycles();
    tx_ptr = text;
    tx_left = sizeof text - 1;
    USART2->CR1 |= USART_CR1_TXEIE;
    __asm volatile("cpsid i" ::: "memory");
    while (!tx_done) {
        __asm volatile("wfi\n cpsie i\n isb\n cpsid i" ::: "memory");
    }
    __asm volatile("cpsie i" ::: "memory");
    uint32_t t1 = mcusim_cycles();
    snprintf(line, sizeof line, "uart: %u bytes by interrupt in %lu cycles, %u interrupts\n", (unsigned)(sizeof text - 1),
             (unsigned long)(t1 - t0), tx_irqs);
    uart_print(line);
}

int main(void)
{
    char cmdline[128] = "";
    mcusim_cmdline(cmdline, sizeof cmdline);
    const char *arg = strchr(cmdline, ' ');
    arg = arg ? arg + 1 : "";

    system_clock_config();
    usart2_init(115200);
    mcusim_cycles_init();

    if (strcmp(arg, "echo") == 0) {
        echo();
        return 0;
    }
    if (strcmp(arg, "txit") == 0) {
        transmit_it();
        return 0;
    }

    char line[96];
    snprintf(line, sizeof line, "uart: USART2 8N1 at 115200 baud, PCLK1 %lu Hz, BRR %lu\n", pclk1_hz(), g_brr);
    uart_print(line);

    /* 64 bytes, timed from the first TXE wait to TC (the last stop bit). */
    static const char block[65] = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.\n";
    uint32_t t0 = mcusim_cycles();
    uart_write(block, 64);
    uint32_t t1 = mcusim_cycles();
    snprintf(line, sizeof line, "uart: 64 bytes sent in %lu cycles\n", (unsigned long)(t1 - t0));
    uart_print(line);
    return 0;
}
