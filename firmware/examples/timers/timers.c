/*
 * timers - the STM32L4R5 basic and general-purpose timers used the way
 * STM32Cube HAL code uses them (HAL_TIM_Base_Init / HAL_TIM_Base_Start_IT /
 * HAL_TIM_IRQHandler, and HAL's TIM6 time base behind HAL_Delay), at
 * register level. Cycle counts come from the DWT cycle counter; the core
 * waits for interrupts with WFI, as HAL applications do.
 *
 * From the reset clock (MSI 4 MHz, APB1 prescaler 1, so TIM2..TIM7 run at
 * 4 MHz) it prints:
 *   base: PSC 3 ARR 999 period P cycles           TIM2 update-interrupt period
 *   interval 100000 cycles: N updates             update interrupts counted over a measured interval
 *   apb1 /4: period P cycles                      the same timer with PPRE1 = /4 (TIMCLK = 2 x PCLK1)
 *   psc preload: A B C                            the period during which PSC is written (old PSC), the two after (new)
 *   one-pulse: CEN c after T cycles, UIF u, CNT n TIM3 in one-pulse mode, CR1.CEN polled
 *   cnt: max M, wraps W, other decreases D        TIM3's CNT polled over two periods
 *   HAL_Delay(10): T cycles                       the HAL tick from TIM6 at 1 kHz
 *   switch to HSI16: spanning period S cycles, period P cycles, HAL_Delay(10): T cycles
 */
#include <stdio.h>
#include <string.h>

#include "mcusim.h"
#include "mcusim_regs.h"
#include "stm32l4r5_regs.h"
#include "stm32l4r5_tim.h"

typedef void (*vector_t)(void);

/* A vector table in SRAM with room for every STM32L4R5 IRQ (0..94), as a
 * CubeMX project with VECT_TAB_SRAM has: the bundled startup table has 32. */
static vector_t ram_vectors[16 + 96] __attribute__((aligned(512)));

static volatile uint32_t tim2_updates, tim2_stamp[64];
static volatile uint32_t uwTick;      /* HAL's millisecond tick */
static unsigned long timclk_hz = 4000000UL;

/* HAL_TIM_IRQHandler's update branch: flag and source checked, flag cleared by writing ~UIF. */
static void TIM2_IRQHandler(void)
{
    uint32_t now = DWT_CYCCNT;
    if ((TIM2->SR & TIM_SR_UIF) && (TIM2->DIER & TIM_DIER_UIE)) {
        TIM2->SR = ~TIM_SR_UIF;
        tim2_stamp[tim2_updates % 64] = now;
        tim2_updates++;
    }
}

static void TIM6_DAC_IRQHandler(void)
{
    if ((TIM6->SR & TIM_SR_UIF) && (TIM6->DIER & TIM_DIER_UIE)) {
        TIM6->SR = ~TIM_SR_UIF;
        uwTick++; /* HAL_IncTick */
    }
}

static void nvic_enable(unsigned irq) { NVIC_ISER(irq / 32) = 1UL << (irq % 32); }
static void nvic_disable(unsigned irq) { NVIC_ICER(irq / 32) = 1UL << (irq % 32); }

/* HAL_TIM_Base_Init (TIM_Base_SetConfig) then HAL_TIM_Base_Start_IT. */
static void tim_base_start_it(TIM_TypeDef *tim, unsigned irq, uint32_t psc, uint32_t arr)
{
    tim->CR1 &= ~(TIM_CR1_DIR | TIM_CR1_ARPE | TIM_CR1_OPM);
    tim->ARR = arr;
    tim->PSC = psc;
    tim->EGR = TIM_EGR_UG;               /* reload the prescaler now */
    if (tim->SR & TIM_SR_UIF) tim->SR = ~TIM_SR_UIF; /* UG set UIF */
    tim->DIER |= TIM_DIER_UIE;
    nvic_enable(irq);
    tim->CR1 |= TIM_CR1_CEN;
}

static void tim_stop_it(TIM_TypeDef *tim, unsigned irq)
{
    tim->DIER &= ~TIM_DIER_UIE;
    tim->CR1 &= ~TIM_CR1_CEN;
    nvic_disable(irq);
}

/* Sleep until TIM2 has made `n` more updates; the cycle count of the last. */
static uint32_t wait_updates(uint32_t n)
{
    uint32_t target = tim2_updates + n;
    while (tim2_updates < target) __asm volatile("wfi");
    return tim2_stamp[(target - 1) % 64];
}

/* HAL_InitTick for TIM6: a 1 MHz counter clock, an update every 1000 counts. */
static void hal_init_tick(void)
{
    tim_base_start_it(TIM6, TIM6_DAC_IRQn, timclk_hz / 1000000UL - 1, 1000 - 1);
}

/* HAL_Delay: wait at least `ms` whole ticks (one more than asked). */
static void hal_delay(uint32_t ms)
{
    uint32_t start = uwTick;
    uint32_t wait = ms + 1;
    while ((uwTick - start) < wait) __asm volatile("wfi");
}

static uint32_t measure_delay(uint32_t ms)
{
    uint32_t t0 = DWT_CYCCNT;
    hal_delay(ms);
    return DWT_CYCCNT - t0;
}

int main(void)
{
    memcpy(ram_vectors, (const void *)SCB_VTOR, sizeof(vector_t) * 48);
    ram_vectors[16 + TIM2_IRQn] = TIM2_IRQHandler;
    ram_vectors[16 + TIM6_DAC_IRQn] = TIM6_DAC_IRQHandler;
    SCB_VTOR = (uint32_t)(uintptr_t)ram_vectors;
    mcusim_cycles_init();

    /* The timers' bus clocks (__HAL_RCC_TIMx_CLK_ENABLE: set, then read back). */
    RCC->APB1ENR1 |= RCC_APB1ENR1_TIM2EN | RCC_APB1ENR1_TIM3EN | RCC_APB1ENR1_TIM6EN;
    (void)RCC->APB1ENR1;

    /* Update interrupts of TIM2: 4 x 1000 timer clocks per update. */
    tim_base_start_it(TIM2, TIM2_IRQn, 3, 999);
    uint32_t a = wait_updates(1), b = wait_updates(8);
    printf("base: PSC 3 ARR 999 period %lu cycles\n", (unsigned long)(b - a) / 8);

    /* Update interrupts counted over a DWT-measured interval starting at an update. */
    wait_updates(1);
    uint32_t n0 = tim2_updates, t0 = DWT_CYCCNT;
    while (DWT_CYCCNT - t0 < 100000UL) {
    }
    printf("interval 100000 cycles: %lu updates\n", (unsigned long)(tim2_updates - n0));

    /* APB1 prescaler /4: PCLK1 = HCLK / 4, the timer clock twice that. */
    RCC->CFGR = (RCC->CFGR & ~RCC_CFGR_PPRE1_Msk) | RCC_CFGR_PPRE1_DIV4;
    wait_updates(1); /* the period in progress when the prescaler changed */
    a = wait_updates(1);
    b = wait_updates(4);
    printf("apb1 /4: period %lu cycles\n", (unsigned long)(b - a) / 4);
    RCC->CFGR &= ~RCC_CFGR_PPRE1_Msk;
    wait_updates(1);

    /* PSC is preloaded: a write takes effect at the next update event. */
    a = wait_updates(1);
    TIM2->PSC = 7;
    b = wait_updates(1);
    uint32_t c = wait_updates(1);
    uint32_t d = wait_updates(1);
    printf("psc preload: %lu %lu %lu\n", (unsigned long)(b - a), (unsigned long)(c - b), (unsigned long)(d - c));
    TIM2->PSC = 3;
    wait_updates(2);

    /* One-pulse mode on TIM3: the update event clears CEN. */
    TIM3->CR1 = TIM_CR1_OPM;
    TIM3->ARR = 499;
    TIM3->PSC = 0;
    TIM3->EGR = TIM_EGR_UG;
    TIM3->SR = ~TIM_SR_UIF;
    t0 = DWT_CYCCNT;
    TIM3->CR1 |= TIM_CR1_CEN;
    while (TIM3->CR1 & TIM_CR1_CEN) {
    }
    uint32_t t1 = DWT_CYCCNT;
    printf("one-pulse: CEN %lu after %lu cycles, UIF %lu, CNT %lu\n", (unsigned long)(TIM3->CR1 & TIM_CR1_CEN),
           (unsigned long)(t1 - t0), (unsigned long)(TIM3->SR & TIM_SR_UIF), (unsigned long)TIM3->CNT);

    /* CNT polled: it rises by one every PSC + 1 = 100 timer clocks and wraps at ARR. */
    TIM3->CR1 = 0;
    TIM3->PSC = 99;
    TIM3->ARR = 999;
    TIM3->EGR = TIM_EGR_UG;
    TIM3->CR1 = TIM_CR1_CEN;
    uint32_t prev = TIM3->CNT, max = prev, wraps = 0, bad = 0;
    while (wraps < 2) {
        uint32_t v = TIM3->CNT;
        if (v < prev) {
            if (prev >= 990 && v <= 10) wraps++;
            else bad++;
        }
        if (v > max) max = v;
        prev = v;
    }
    TIM3->CR1 = 0;
    printf("cnt: max %lu, wraps %lu, other decreases %lu\n", (unsigned long)max, (unsigned long)wraps, (unsigned long)bad);

    /* HAL's tick from TIM6 at 1 kHz, TIM2 stopped meanwhile. */
    tim_stop_it(TIM2, TIM2_IRQn);
    hal_init_tick();
    printf("HAL_Delay(10): %lu cycles\n", (unsigned long)measure_delay(10));
    tim_stop_it(TIM6, TIM6_DAC_IRQn);

    /* The system clock from MSI 4 MHz to HSI16 with TIM2 running: the timer
     * clock follows HCLK, so the period in core cycles stays, in seconds it
     * is 4 times shorter. HAL_RCC_ClockConfig then calls HAL_InitTick again. */
    tim_base_start_it(TIM2, TIM2_IRQn, 3, 999);
    wait_updates(1);
    a = wait_updates(1);
    RCC->CR |= RCC_CR_HSION;
    while (!(RCC->CR & RCC_CR_HSIRDY)) {
    }
    RCC->CFGR = (RCC->CFGR & ~RCC_CFGR_SW_Msk) | RCC_CFGR_SW_HSI;
    while ((RCC->CFGR & RCC_CFGR_SWS_Msk) != RCC_CFGR_SWS_HSI) {
    }
    b = wait_updates(1);
    c = wait_updates(1);
    d = wait_updates(4);
    tim_stop_it(TIM2, TIM2_IRQn);
    timclk_hz = 16000000UL;
    hal_init_tick();
    uint32_t delay = measure_delay(10);
    tim_stop_it(TIM6, TIM6_DAC_IRQn);
    printf("switch to HSI16: spanning period %lu cycles, period %lu cycles, HAL_Delay(10): %lu cycles\n",
           (unsigned long)(b - a), (unsigned long)(d - c) / 4, (unsigned long)delay);
    return 0;
}
