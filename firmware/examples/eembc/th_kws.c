/*
 * th_kws.c - the runner protocol's porting layer (th_api.h) for the
 * keyword-spotting model mcusim-nnc compiles (NN_MODEL, NN_MODEL_HEADER) on
 * the STM32L4R5: USART2 at 115200 baud polled as HAL's UART_Transmit and
 * UART_Receive poll it, the timestamp from the DWT cycle counter at the
 * core clock, and the results as the class scores (the int8 softmax
 * dequantized, three decimals, as the reference firmware prints them).
 */
#include <stdarg.h>
#include <stdint.h>

#include "ee_protocol.h"
#include "mcusim.h"
#include "nn_runner.h"
#include "stm32l4r5_regs.h"
#include "th_api.h"
#include "stm32l4r5_usart.h"
#include NN_MODEL_HEADER

#define TH_BAUD 115200UL

/* The core clock (HCLK) main() set up; PCLK1 is the same (APB1 /1). */
extern uint32_t SystemCoreClock;

static const nn_model_t *const model = &NN_MODEL;
/* The loaded input: the model's input tensor lives in the arena, which the
 * plan reuses once the first operator has read it, so every inference
 * copies it in again (th_infer). */
static uint8_t input[4096];

size_t th_max_db_bytes(void) { return nn_runner_input_bytes(model); }

/* ---- serial port ---------------------------------------------------------- */

void th_serialport_initialize(void)
{
    /* Clocks first (HAL_UART_MspInit), then PA2 (TX) and PA3 (RX) to AF7. */
    RCC->AHB2ENR |= RCC_AHB2ENR_GPIOAEN;
    (void)RCC->AHB2ENR;
    RCC->APB1ENR1 |= RCC_APB1ENR1_USART2EN;
    (void)RCC->APB1ENR1;
    GPIOA->MODER = (GPIOA->MODER & ~(0xFUL << 4)) | (0xAUL << 4);
    GPIOA->AFR[0] = (GPIOA->AFR[0] & ~(0xFFUL << 8)) | (0x77UL << 8);

    /* HAL_UART_Init: disabled while configured, 8N1, oversampling 16. */
    USART2->CR1 &= ~USART_CR1_UE;
    USART2->CR1 = USART_CR1_TE | USART_CR1_RE;
    USART2->CR2 = 0;
    USART2->CR3 = 0;
    USART2->BRR = (SystemCoreClock + TH_BAUD / 2) / TH_BAUD;
    USART2->CR1 |= USART_CR1_UE;
    /* UART_CheckIdleState: wait for the transmitter and receiver to be enabled. */
    while ((USART2->ISR & USART_ISR_TEACK) == 0) {
    }
    while ((USART2->ISR & USART_ISR_REACK) == 0) {
    }
}

static void put_char(char c)
{
    while ((USART2->ISR & USART_ISR_TXE) == 0) {
    }
    USART2->TDR = (uint8_t)c;
}

char th_getchar(void)
{
    for (;;) {
        uint32_t isr = USART2->ISR;
        if (isr & USART_ISR_ORE) {
            USART2->ICR = USART_ICR_ORECF; /* an overrun loses a byte; go on */
        }
        if (isr & USART_ISR_RXNE) {
            return (char)(USART2->RDR & 0xFFU);
        }
    }
}

static void put_string(const char *s)
{
    while (*s != '\0') {
        put_char(*s++);
    }
}

static void put_unsigned(unsigned long v, unsigned base, int width)
{
    char digits[24];
    int n = 0;
    do {
        digits[n++] = "0123456789abcdef"[v % base];
        v /= base;
    } while (v != 0);
    while (n < width) {
        digits[n++] = '0';
    }
    while (n > 0) {
        put_char(digits[--n]);
    }
}

/* The subset of printf the protocol needs: %s %c %d %u %x with an optional
 * zero-padded width and an optional l, and %%. */
void th_printf(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    for (const char *p = fmt; *p != '\0'; p++) {
        if (*p != '%') {
            put_char(*p);
            continue;
        }
        p++;
        int width = 0;
        while (*p >= '0' && *p <= '9') {
            width = width * 10 + (*p++ - '0');
        }
        int is_long = 0;
        if (*p == 'l') {
            is_long = 1;
            p++;
        }
        switch (*p) {
        case 's': put_string(va_arg(ap, const char *)); break;
        case 'c': put_char((char)va_arg(ap, int)); break;
        case 'd': {
            long v = is_long ? va_arg(ap, long) : va_arg(ap, int);
            if (v < 0) {
                put_char('-');
                v = -v;
            }
            put_unsigned((unsigned long)v, 10, width);
            break;
        }
        case 'u': put_unsigned(is_long ? va_arg(ap, unsigned long) : va_arg(ap, unsigned), 10, width); break;
        case 'x': put_unsigned(is_long ? va_arg(ap, unsigned long) : va_arg(ap, unsigned), 16, width); break;
        case '%': put_char('%'); break;
        case '\0': p--; break;
        default: put_char('%'); put_char(*p); break;
        }
    }
    va_end(ap);
}

/* ---- timestamp ------------------------------------------------------------ */

/* CYCCNT wraps every 2^32 cycles (36 s at 120 MHz): counted here, so the
 * microseconds go on as long as a timestamp is taken at least that often. */
static uint32_t last_cycles;
static uint64_t high_cycles;

void th_timestamp_initialize(void)
{
    mcusim_cycles_init();
    th_printf(EE_MSG_TIMESTAMP_MODE);
    th_timestamp();
}

/* Not inlined: `mcusim eembc` finds the timed window in simulated cycles
 * from this function's calls (docs/eembc.md). */
__attribute__((noinline)) void th_timestamp(void)
{
    uint32_t now = mcusim_cycles();
    if (now < last_cycles) {
        high_cycles += 1ULL << 32;
    }
    last_cycles = now;
    uint64_t cycles = high_cycles + now;
    unsigned long us = (unsigned long)(cycles / (SystemCoreClock / 1000000UL));
    th_printf(EE_MSG_TIMESTAMP, us);
}

/* ---- the model ------------------------------------------------------------ */

void th_final_initialize(void) {}

void th_load_tensor(void)
{
    ee_get_buffer(input, th_max_db_bytes());
}

void th_infer(void)
{
    nn_runner_set_input(model, input, th_max_db_bytes());
    model->invoke();
}

void th_pre(void) {}
void th_post(void) {}

/* m-results-[s0,s1,...]: each score (q - zero point) * scale, truncated to
 * three decimals. */
void th_results(void)
{
    th_printf("m-results-[");
    for (int32_t i = 0; i < model->output_count; i++) {
        float score;
        if (model->output_type == NN_INT8) {
            score = (float)(((const int8_t *)model->output)[i] - model->output_zero_point) * model->output_scale;
        } else {
            score = ((const float *)model->output)[i];
        }
        long milli = (long)(score * 1000.0f);
        if (milli < 0) {
            th_printf("-");
            milli = -milli;
        }
        th_printf("%ld.%03ld", milli / 1000, milli % 1000);
        if (i + 1 < model->output_count) {
            th_printf(",");
        }
    }
    th_printf("]\r\n");
}
