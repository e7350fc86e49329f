/*
 * l4extra - the STM32L4R5's advanced-control timer, RTC calendar and alarm,
 * and SRAM retention in Standby, at register level as ST's HAL does it
 * (RM0432 'Advanced-control timers', 'RTC', 'PWR'):
 *
 *   l4extra tim1 N R       TIM1 (PSC 3, ARR 999) with RCR = R: counts N update
 *                          interrupts and prints the cycles between the first two
 *   l4extra calendar S     RTC from the LSE, calendar set in init mode to
 *                          2024-02-28 23:59:50 (Wednesday); waits S seconds on the
 *                          wake-up timer (1 Hz, ck_spre) and prints TR/DR
 *   l4extra alarm          the calendar set to 12:00:00, Alarm A at hh:mm:07 (hours
 *                          and date masked), the core in Stop 2 until RTC_Alarm wakes it
 *   l4extra sram [rrs]     a pattern in SRAM1 and SRAM2, then Standby until the RTC
 *                          wake-up timer resets it; with rrs, PWR_CR3.RRS keeps SRAM2
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mcusim.h"
#include "mcusim_regs.h"
#include "stm32l4r5_l4extra_regs.h"

#define SCB_SCR_SLEEPDEEP (1u << 2)
#define WAIT_UNTIL(cond) \
    do {                 \
    } while (!(cond))

#define SRAM1_WORD ((volatile uint32_t *)0x20020000UL) /* inside SRAM1 (0x20000000-0x2002FFFF) */
#define SRAM2_WORD ((volatile uint32_t *)0x20030100UL) /* inside SRAM2 (0x20030000-0x2003FFFF) */
#define PATTERN 0xA5C3F00DUL

static volatile unsigned updates, alarms;
static volatile uint32_t update_at[2];

static void tim1_up_irq(void)
{
    if (TIM1->SR & TIM_SR_UIF) {
        TIM1->SR = ~TIM_SR_UIF;
        if (updates < 2) update_at[updates] = mcusim_cycles();
        updates++;
    }
}

static void rtc_alarm_irq(void)
{
    if (RTC->ISR & RTC_ISR_ALRAF) {
        RTC->ISR = (~(RTC_ISR_ALRAF | RTC_ISR_INIT) & 0x0001FFFFUL) | (RTC->ISR & RTC_ISR_INIT); /* __HAL_RTC_ALARM_CLEAR_FLAG */
        alarms++;
    }
    EXTI->PR1 = RTC_EXTI_LINE_ALARM;
}

void IRQ3_Handler(void) /* RTC_WKUP: only the flag */
{
    RTC->ISR = (~(RTC_ISR_WUTF | RTC_ISR_INIT) & 0x0001FFFFUL) | (RTC->ISR & RTC_ISR_INIT);
    EXTI->PR1 = RTC_EXTI_LINE_WAKEUPTIMER;
}

/* The startup table stops at IRQ 31: a copy in SRAM with TIM1_UP (25) and RTC_Alarm (41). */
typedef void (*vector_t)(void);
static vector_t ram_vectors[16 + 96] __attribute__((aligned(512)));

static void relocate_vectors(void)
{
    const vector_t *flash_vectors = (const vector_t *)SCB_VTOR;
    for (unsigned i = 0; i < 16 + 32; i++) ram_vectors[i] = flash_vectors[i];
    for (unsigned i = 16 + 32; i < 16 + 96; i++) ram_vectors[i] = flash_vectors[16];
    ram_vectors[16 + TIM1_UP_TIM16_IRQn] = tim1_up_irq;
    ram_vectors[16 + RTC_Alarm_IRQn] = rtc_alarm_irq;
    SCB_VTOR = (uint32_t)(uintptr_t)ram_vectors;
}

static void nvic_enable(unsigned irq) { NVIC_ISER(irq / 32) = 1UL << (irq % 32); }

static void enter_low_power(uint32_t lpms)
{
    PWR->CR1 = (PWR->CR1 & ~PWR_CR1_LPMS_Msk) | lpms;
    SCB_SCR |= SCB_SCR_SLEEPDEEP;
    __asm volatile("wfi");
    SCB_SCR &= ~SCB_SCR_SLEEPDEEP;
}

/* HAL_PWR_EnableBkUpAccess, LSE on, RTC clock from the LSE, __HAL_RCC_RTC_ENABLE. */
static void rtc_clock(void)
{
    RCC->APB1ENR1 |= RCC_APB1ENR1_PWREN;
    (void)RCC->APB1ENR1;
    PWR->CR1 |= PWR_CR1_DBP;
    RCC->BDCR |= RCC_BDCR_LSEON;
    WAIT_UNTIL(RCC->BDCR & RCC_BDCR_LSERDY);
    RCC->BDCR = (RCC->BDCR & ~RCC_BDCR_RTCSEL_Msk) | RCC_BDCR_RTCSEL_LSE;
    RCC->BDCR |= RCC_BDCR_RTCEN;
    RCC->APB1ENR1 |= RCC_APB1ENR1_RTCAPBEN;
    (void)RCC->APB1ENR1;
}

/* HAL_RTC_Init + HAL_RTC_SetTime + HAL_RTC_SetDate (BCD), one init-mode session. */
static void rtc_set(uint32_t tr, uint32_t dr)
{
    RTC->WPR = 0xCA;
    RTC->WPR = 0x53;
    RTC->ISR = 0xFFFFFFFFUL; /* INIT = 1 */
    WAIT_UNTIL(RTC->ISR & RTC_ISR_INITF);
    RTC->PRER = 255UL;
    RTC->PRER |= 127UL << 16; /* 32768 / (128 x 256) = 1 Hz */
    RTC->TR = tr;
    RTC->DR = dr;
    RTC->ISR &= ~RTC_ISR_INIT;
    RTC->ISR &= ~RTC_ISR_RSF; /* HAL_RTC_WaitForSynchro */
    WAIT_UNTIL(RTC->ISR & RTC_ISR_RSF);
    RTC->WPR = 0xFF;
}

/* HAL_RTCEx_SetWakeUpTimer_IT with the given clock (WUCKSEL) and WUTR. */
static void rtc_wakeup(uint32_t wucksel, uint32_t wutr)
{
    RTC->WPR = 0xCA;
    RTC->WPR = 0x53;
    RTC->CR &= ~RTC_CR_WUTE;
    WAIT_UNTIL(RTC->ISR & RTC_ISR_WUTWF);
    RTC->WUTR = wutr;
    RTC->CR = (RTC->CR & ~RTC_CR_WUCKSEL_Msk) | wucksel;
    EXTI->IMR1 |= RTC_EXTI_LINE_WAKEUPTIMER;
    EXTI->RTSR1 |= RTC_EXTI_LINE_WAKEUPTIMER;
    RTC->CR |= RTC_CR_WUTIE | RTC_CR_WUTE;
    RTC->WPR = 0xFF;
    nvic_enable(RTC_WKUP_IRQn);
}

static int run_tim1(unsigned n, uint32_t rcr)
{
    relocate_vectors();
    RCC->APB2ENR |= RCC_APB2ENR_TIM1EN;
    (void)RCC->APB2ENR;
    TIM1->PSC = 3;
    TIM1->ARR = 999;
    TIM1->RCR = rcr;
    TIM1->EGR = TIM_EGR_UG; /* HAL_TIM_Base_Init: PSC, ARR and REP_CNT loaded */
    TIM1->SR = ~TIM_SR_UIF;
    TIM1->DIER |= TIM_DIER_UIE;
    nvic_enable(TIM1_UP_TIM16_IRQn);
    TIM1->CR1 |= TIM_CR1_CEN;
    while (updates < n) __asm volatile("wfi");
    TIM1->CR1 &= ~TIM_CR1_CEN;
    printf("tim1: %u updates, RCR %lu, %lu cycles between updates\n", updates, (unsigned long)rcr,
           (unsigned long)(update_at[1] - update_at[0]));
    return 0;
}

static void print_calendar(const char *what)
{
    const uint32_t tr = RTC->TR, dr = RTC->DR; /* HAL_RTC_GetTime then HAL_RTC_GetDate */
    printf("%s: 20%02lx-%02lx-%02lx %02lx:%02lx:%02lx weekday %lu\n", what, (unsigned long)((dr >> 16) & 0xFF),
           (unsigned long)((dr >> 8) & 0x1F), (unsigned long)(dr & 0x3F), (unsigned long)((tr >> 16) & 0x3F),
           (unsigned long)((tr >> 8) & 0x7F), (unsigned long)(tr & 0x7F), (unsigned long)((dr >> 13) & 7));
}

static int run_calendar(unsigned seconds)
{
    rtc_clock();
    rtc_set(0x235950UL, 0x246228UL); /* 23:59:50, year 24, Wednesday (3), February 28 */
    print_calendar("set");
    unsigned wakeups = 0;
    rtc_wakeup(4 /* ck_spre, 1 Hz */, 0); /* WUTR = 0: every second */
    while (wakeups < seconds) {
        enter_low_power(PWR_CR1_LPMS_STOP2);
        wakeups++;
    }
    print_calendar("after");
    return 0;
}

/* HAL_RTC_SetAlarm_IT(Alarm A, seconds 07, MSK4 | MSK3 | MSK2: every minute at :07). */
static int run_alarm(void)
{
    relocate_vectors();
    rtc_clock();
    rtc_set(0x120000UL, 0x246228UL);
    RTC->WPR = 0xCA;
    RTC->WPR = 0x53;
    RTC->CR &= ~RTC_CR_ALRAE;
    RTC->ISR = (~(RTC_ISR_ALRAF | RTC_ISR_INIT) & 0x0001FFFFUL) | (RTC->ISR & RTC_ISR_INIT);
    WAIT_UNTIL(RTC->ISR & RTC_ISR_ALRAWF);
    RTC->ALRMAR = RTC_ALRMAR_MSK4 | RTC_ALRMAR_MSK3 | RTC_ALRMAR_MSK2 | 0x07UL;
    RTC->ALRMASSR = 0;
    RTC->CR |= RTC_CR_ALRAE | RTC_CR_ALRAIE;
    RTC->WPR = 0xFF;
    EXTI->IMR1 |= RTC_EXTI_LINE_ALARM;
    EXTI->RTSR1 |= RTC_EXTI_LINE_ALARM;
    nvic_enable(RTC_Alarm_IRQn);
    const uint32_t before = mcusim_cycles();
    unsigned entries = 0;
    while (!alarms) {
        enter_low_power(PWR_CR1_LPMS_STOP2);
        entries++;
    }
    const uint32_t slept = mcusim_cycles() - before;
    print_calendar("alarm");
    printf("alarm A after %u stop2 entries, %lu cycles\n", entries, (unsigned long)slept);
    return 0;
}

static int run_sram(int rrs)
{
    rtc_clock(); /* also PWR clock and backup access */
    if (PWR->SR1 & PWR_SR1_SBF) {
        PWR->SCR = PWR_SCR_CSBF;
        printf("woke from standby: SRAM1 %s (0x%08lx), SRAM2 %s (0x%08lx), BKP1R 0x%08lx\n",
               *SRAM1_WORD == PATTERN ? "kept" : "lost", (unsigned long)*SRAM1_WORD,
               *SRAM2_WORD == PATTERN ? "kept" : "lost", (unsigned long)*SRAM2_WORD, (unsigned long)RTC->BKPR[1]);
        return 0;
    }
    *SRAM1_WORD = PATTERN;
    *SRAM2_WORD = PATTERN;
    RTC->BKPR[1] = PATTERN;
    if (rrs) PWR->CR3 |= PWR_CR3_RRS;
    else PWR->CR3 &= ~PWR_CR3_RRS;
    rtc_set(0, 0x2101UL);
    rtc_wakeup(0 /* RTCCLK / 16 */, 2047); /* 2048 x 16 / 32768 Hz = 1 s */
    printf("entering standby, RRS %d\n", rrs);
    RTC->ISR = (~(RTC_ISR_WUTF | RTC_ISR_INIT) & 0x0001FFFFUL) | (RTC->ISR & RTC_ISR_INIT);
    PWR->SCR = PWR_SCR_CWUF;
    enter_low_power(PWR_CR1_LPMS_STANDBY);
    printf("standby did not reset the core\n");
    return 2;
}

int main(void)
{
    char cmdline[128] = "";
    mcusim_cmdline(cmdline, sizeof cmdline);
    char *words[4] = {0};
    unsigned nw = 0;
    for (char *t = strtok(cmdline, " "); t && nw < 4; t = strtok(NULL, " ")) words[nw++] = t;
    const char *mode = nw > 1 ? words[1] : "tim1";
    mcusim_cycles_init();
    if (strcmp(mode, "tim1") == 0)
        return run_tim1(nw > 2 ? (unsigned)strtoul(words[2], NULL, 0) : 3, nw > 3 ? strtoul(words[3], NULL, 0) : 4);
    if (strcmp(mode, "calendar") == 0) return run_calendar(nw > 2 ? (unsigned)strtoul(words[2], NULL, 0) : 20);
    if (strcmp(mode, "alarm") == 0) return run_alarm();
    if (strcmp(mode, "sram") == 0) return run_sram(nw > 2 && strcmp(words[2], "rrs") == 0);
    printf("unknown mode %s\n", mode);
    return 1;
}
