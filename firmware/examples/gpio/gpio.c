/*
 * gpio - the STM32L4R5 GPIO, SYSCFG and EXTI models the way STM32Cube HAL
 * firmware drives them (HAL_GPIO_Init, HAL_GPIO_WritePin/TogglePin,
 * HAL_GPIO_EXTI_IRQHandler; RM0432 GPIO, SYSCFG, EXTI):
 *
 *   1. PA5 (the NUCLEO board's LED) as a push-pull output: the GPIOA clock
 *      in RCC_AHB2ENR first, then OSPEEDR, OTYPER, PUPDR, MODER, as
 *      HAL_GPIO_Init writes them.
 *   2. The "LED around the inference" timing method: PA5 goes high (BSRR
 *      set), DWT_CYCCNT is read, a busy loop of known length runs, CYCCNT is
 *      read again and PA5 goes low (BSRR reset); three times. The printed
 *      CYCCNT intervals are what `--gpio-phase busy=PA5` must report as the
 *      pin's high time (tests/peripherals/gpio.cmake explains the difference).
 *   3. ODR writes: PA5 toggled through ODR (HAL_GPIO_TogglePin's read-modify-write).
 *   4. EXTI line 5 routed to PA5 (SYSCFG_EXTICR2), rising edge: raising the
 *      output pin is an edge the EXTI sees (EXTI9_5 interrupt).
 *   5. EXTI line 0 software interrupt (SWIER1), EXTI0 interrupt.
 *
 * Prints "busy N cycles" per loop, then the interrupts taken.
 */
#include <stdio.h>

#include "mcusim.h"
#include "stm32l4r5_gpio.h"
#include "stm32l4r5_regs.h"

static volatile unsigned exti0_count, exti9_5_count;

/* Wait (a bounded number of polls) for an interrupt handler to have run. */
#define WAIT_FOR(cond)                                    \
    do {                                                  \
        for (unsigned k = 0; k < 1000 && !(cond); k++) {  \
        }                                                 \
    } while (0)
static volatile uint32_t exti0_pr, exti9_5_pr;

/* HAL_GPIO_EXTI_IRQHandler: clear the pending bit (write 1), then the callback. */
void IRQ6_Handler(void) /* EXTI0 */
{
    exti0_pr = EXTI->PR1;
    if (EXTI->PR1 & GPIO_PIN_0) {
        EXTI->PR1 = GPIO_PIN_0;
        exti0_count++;
    }
}

void IRQ23_Handler(void) /* EXTI9_5 */
{
    exti9_5_pr = EXTI->PR1;
    if (EXTI->PR1 & GPIO_PIN_5) {
        EXTI->PR1 = GPIO_PIN_5;
        exti9_5_count++;
    }
}

/* HAL_GPIO_Init for one output pin: push-pull, low speed, no pull. */
static void gpio_init_output(GPIO_TypeDef *port, unsigned pin)
{
    uint32_t v = port->OSPEEDR;
    v &= ~(3UL << (2 * pin));
    port->OSPEEDR = v; /* low speed */
    v = port->OTYPER;
    v &= ~(1UL << pin);
    port->OTYPER = v; /* push-pull */
    v = port->PUPDR;
    v &= ~(3UL << (2 * pin));
    port->PUPDR = v; /* no pull */
    v = port->MODER;
    v &= ~(3UL << (2 * pin));
    v |= 1UL << (2 * pin);
    port->MODER = v; /* general-purpose output */
}

/* PA5 high, CYCCNT, `n` iterations of a SUBS/BNE loop, CYCCNT, PA5 low: the
 * CYCCNT interval. The GPIO stores and the CYCCNT loads are next to each other:
 *   str set,[bsrr]; ldr t0,[cyccnt]; loop; ldr t1,[cyccnt]; str reset,[bsrr]. */
__attribute__((noinline)) static uint32_t busy_between_toggles(uint32_t n)
{
    uint32_t t0, t1;
    volatile uint32_t *cyccnt = &DWT_CYCCNT;
    volatile uint32_t *bsrr = &GPIOA->BSRR;
    uint32_t set = GPIO_PIN_5, reset = GPIO_PIN_5 << 16;
    __asm volatile("str %5, [%4]\n"
                   "  ldr %0, [%3]\n"
                   "  .balign 8\n"
                   "1: subs %2, %2, #1\n"
                   "  bne 1b\n"
                   "  ldr %1, [%3]\n"
                   "  str %6, [%4]\n"
                   : "=&l"(t0), "=&l"(t1), "+l"(n)
                   : "l"(cyccnt), "l"(bsrr), "l"(set), "l"(reset)
                   : "cc", "memory");
    return t1 - t0;
}

int main(void)
{
    /* __HAL_RCC_GPIOA_CLK_ENABLE / __HAL_RCC_SYSCFG_CLK_ENABLE: set, then read back. */
    RCC->AHB2ENR |= RCC_AHB2ENR_GPIOAEN;
    (void)RCC->AHB2ENR;
    RCC->APB2ENR |= RCC_APB2ENR_SYSCFGEN;
    (void)RCC->APB2ENR;

    GPIOA->BRR = GPIO_PIN_5; /* HAL_GPIO_WritePin(GPIOA, GPIO_PIN_5, GPIO_PIN_RESET) before the init, as CubeMX does */
    gpio_init_output(GPIOA, 5);
    mcusim_cycles_init();

    static const uint32_t loops[3] = {100, 1000, 250};
    for (unsigned i = 0; i < 3; i++)
        printf("busy %lu cycles\n", (unsigned long)busy_between_toggles(loops[i]));

    /* HAL_GPIO_TogglePin: ODR read-modify-write, twice (high, then low). */
    GPIOA->ODR ^= GPIO_PIN_5;
    printf("IDR after ODR toggle %lu\n", (unsigned long)((GPIOA->IDR >> 5) & 1));
    GPIOA->ODR ^= GPIO_PIN_5;

    /* EXTI line 5 from PA5, rising edge, interrupt unmasked (HAL_GPIO_Init with GPIO_MODE_IT_RISING's EXTI part). */
    SYSCFG->EXTICR[1] = (SYSCFG->EXTICR[1] & ~(0xFUL << 4)) | (0UL << 4); /* EXTI5 = PA */
    EXTI->RTSR1 |= GPIO_PIN_5;
    EXTI->FTSR1 &= ~GPIO_PIN_5;
    EXTI->IMR1 |= GPIO_PIN_5;
    mcusim_nvic_enable(EXTI9_5_IRQn);
    GPIOA->BSRR = GPIO_PIN_5; /* rising edge: EXTI9_5 */
    WAIT_FOR(exti9_5_count == 1);
    GPIOA->BSRR = GPIO_PIN_5 << 16; /* falling edge: not selected */
    GPIOA->BSRR = GPIO_PIN_5 | (GPIO_PIN_5 << 16); /* both: set wins, the pin goes high: a second rising edge */
    WAIT_FOR(exti9_5_count == 2);
    printf("PA5 after BSRR set+reset %lu\n", (unsigned long)((GPIOA->ODR >> 5) & 1));
    GPIOA->BRR = GPIO_PIN_5;

    /* EXTI line 0 software interrupt. */
    EXTI->IMR1 |= GPIO_PIN_0;
    mcusim_nvic_enable(EXTI0_IRQn);
    EXTI->SWIER1 = GPIO_PIN_0;
    WAIT_FOR(exti0_count == 1);

    printf("EXTI0 %u (PR1 %08lx) EXTI9_5 %u (PR1 %08lx) PR1 now %08lx\n", exti0_count, (unsigned long)exti0_pr, exti9_5_count,
           (unsigned long)exti9_5_pr, (unsigned long)EXTI->PR1);
    return exti0_count == 1 && exti9_5_count == 2 ? 0 : 1;
}
