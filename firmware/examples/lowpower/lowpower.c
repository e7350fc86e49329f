/*
 * lowpower - periodic wake-up from Stop and Standby on the STM32L4R5, at
 * register level as ST's HAL does it (HAL_RTC_Init, HAL_RTCEx_SetWakeUpTimer_IT,
 * HAL_LPTIM_Counter_Start_IT, HAL_PWREx_EnterSTOP2Mode, HAL_PWR_EnterSTANDBYMode;
 * RM0432 'PWR', 'RTC', 'LPTIM'): the RTC wake-up timer runs from the LSE
 * (RTCCLK / 16, WUTR + 1 ticks per period) or LPTIM1 from the LSI, and the
 * main loop does some work, enters a low-power mode with WFI and counts the
 * wake-ups.
 *
 *   lowpower stop2 N W     N wake-ups from Stop 2 by the RTC, WUTR = W (default 5 199)
 *   lowpower stop0 N W     the same in Stop 0 (LPMS = 000), stop1 in Stop 1
 *   lowpower lptim N A     N wake-ups from Stop 2 by LPTIM1 (LSI / 32), ARR = A (default 99)
 *   lowpower standby N W   Standby until the RTC wakes it N times: each wake-up is a
 *                          reset; the firmware sees PWR_SR1.SBF and counts in RTC_BKP0R
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mcusim.h"
#include "mcusim_regs.h"
#include "stm32l4r5_lowpower_regs.h"

#define SCB_SCR_SLEEPDEEP (1u << 2)

static volatile unsigned wakeups;
static volatile uint32_t work_sink;

#define WAIT_UNTIL(cond) \
    do {                 \
    } while (!(cond))

/* RTC_WKUP (EXTI line 20): HAL_RTCEx_WakeUpTimerIRQHandler. */
void IRQ3_Handler(void)
{
    if (RTC->ISR & RTC_ISR_WUTF) {
        RTC->ISR = (~(RTC_ISR_WUTF | RTC_ISR_INIT) & 0x0001FFFFUL) | (RTC->ISR & RTC_ISR_INIT); /* __HAL_RTC_WAKEUPTIMER_CLEAR_FLAG */
        wakeups++;
    }
    EXTI->PR1 = RTC_EXTI_LINE_WAKEUPTIMER;
}

/* LPTIM1: HAL_LPTIM_IRQHandler for the autoreload match. */
static void lptim1_irq(void)
{
    if (LPTIM1->ISR & LPTIM_ISR_ARRM) {
        LPTIM1->ICR = LPTIM_ISR_ARRM;
        wakeups++;
    }
}

/* The startup file's table stops at IRQ31: a copy in SRAM with LPTIM1 (IRQ 65)
 * added, as firmware that relocates its vector table does (SCB->VTOR). */
typedef void (*vector_t)(void);
static vector_t ram_vectors[16 + 96] __attribute__((aligned(512)));

static void relocate_vectors(void)
{
    const vector_t *flash_vectors = (const vector_t *)SCB_VTOR;
    for (unsigned i = 0; i < 16 + 32; i++) ram_vectors[i] = flash_vectors[i];
    for (unsigned i = 16 + 32; i < 16 + 96; i++) ram_vectors[i] = flash_vectors[16]; /* the default handler's alias */
    ram_vectors[16 + LPTIM1_IRQn] = lptim1_irq;
    SCB_VTOR = (uint32_t)(uintptr_t)ram_vectors;
}

/* The PWR clock and access to the backup domain (HAL_PWR_EnableBkUpAccess). */
static void backup_access(void)
{
    RCC->APB1ENR1 |= RCC_APB1ENR1_PWREN;
    (void)RCC->APB1ENR1;
    PWR->CR1 |= PWR_CR1_DBP;
}

/* HAL_RCC_OscConfig (LSE) and HAL_RCCEx_PeriphCLKConfig (RTC from LSE), __HAL_RCC_RTC_ENABLE. */
static void rtc_clock_from_lse(void)
{
    RCC->BDCR |= RCC_BDCR_LSEON;
    WAIT_UNTIL(RCC->BDCR & RCC_BDCR_LSERDY);
    RCC->BDCR = (RCC->BDCR & ~RCC_BDCR_RTCSEL_Msk) | RCC_BDCR_RTCSEL_LSE;
    RCC->BDCR |= RCC_BDCR_RTCEN;
    RCC->APB1ENR1 |= RCC_APB1ENR1_RTCAPBEN;
    (void)RCC->APB1ENR1;
}

/* HAL_RTC_Init: 24-hour format, PREDIV_A 127, PREDIV_S 255 (1 Hz from 32.768 kHz). */
static void rtc_init(void)
{
    RTC->WPR = 0xCA;
    RTC->WPR = 0x53;
    RTC->ISR = 0xFFFFFFFFUL; /* RTC_EnterInitMode: INIT = 1 */
    WAIT_UNTIL(RTC->ISR & RTC_ISR_INITF);
    RTC->CR &= ~((1UL << 6) | (3UL << 21) | (1UL << 20)); /* FMT, OSEL, POL */
    RTC->PRER = 255UL;
    RTC->PRER |= 127UL << 16;
    RTC->ISR &= ~RTC_ISR_INIT; /* exit init mode */
    RTC->ISR &= ~RTC_ISR_RSF;  /* HAL_RTC_WaitForSynchro */
    WAIT_UNTIL(RTC->ISR & RTC_ISR_RSF);
    RTC->WPR = 0xFF;
}

/* HAL_RTCEx_SetWakeUpTimer_IT(hrtc, wutr, RTC_WAKEUPCLOCK_RTCCLK_DIV16). */
static void rtc_wakeup_it(uint32_t wutr)
{
    RTC->WPR = 0xCA;
    RTC->WPR = 0x53;
    RTC->CR &= ~RTC_CR_WUTE;
    RTC->ISR = (~(RTC_ISR_WUTF | RTC_ISR_INIT) & 0x0001FFFFUL) | (RTC->ISR & RTC_ISR_INIT);
    WAIT_UNTIL(RTC->ISR & RTC_ISR_WUTWF);
    RTC->WUTR = wutr;
    RTC->CR = (RTC->CR & ~RTC_CR_WUCKSEL_Msk) | 0UL; /* RTCCLK / 16 */
    EXTI->IMR1 |= RTC_EXTI_LINE_WAKEUPTIMER;
    EXTI->RTSR1 |= RTC_EXTI_LINE_WAKEUPTIMER;
    RTC->CR |= RTC_CR_WUTIE;
    RTC->CR |= RTC_CR_WUTE;
    RTC->WPR = 0xFF;
    NVIC_ISER(RTC_WKUP_IRQn / 32) = 1UL << (RTC_WKUP_IRQn % 32); /* HAL_NVIC_EnableIRQ */
}

/* LSI on, LPTIM1 from LSI / 32 (HAL_LPTIM_Init), then HAL_LPTIM_Counter_Start_IT(arr). */
static void lptim_start_it(uint32_t arr)
{
    RCC->CSR |= RCC_CSR_LSION;
    WAIT_UNTIL(RCC->CSR & RCC_CSR_LSIRDY);
    RCC->CCIPR = (RCC->CCIPR & ~RCC_CCIPR_LPTIM1SEL_Msk) | RCC_CCIPR_LPTIM1SEL_LSI;
    RCC->APB1ENR1 |= RCC_APB1ENR1_LPTIM1EN;
    (void)RCC->APB1ENR1;
    LPTIM1->CFGR = 5UL << LPTIM_CFGR_PRESC_Pos; /* /32 */
    LPTIM1->IER = LPTIM_IER_ARRMIE;
    LPTIM1->CR |= LPTIM_CR_ENABLE;
    LPTIM1->ICR = LPTIM_ISR_ARROK;
    LPTIM1->ARR = arr;
    WAIT_UNTIL(LPTIM1->ISR & LPTIM_ISR_ARROK);
    LPTIM1->ICR = LPTIM_ISR_ARROK;
    LPTIM1->CR |= LPTIM_CR_CNTSTRT;
    NVIC_ISER(LPTIM1_IRQn / 32) = 1UL << (LPTIM1_IRQn % 32);
}

static void work(void)
{
    for (uint32_t i = 0; i < 2000; i++) work_sink += i;
}

/* HAL_PWREx_EnterSTOPxMode / HAL_PWR_EnterSTANDBYMode with the WFI entry. */
static void enter_low_power(uint32_t lpms)
{
    PWR->CR1 = (PWR->CR1 & ~PWR_CR1_LPMS_Msk) | lpms;
    SCB_SCR |= SCB_SCR_SLEEPDEEP;
    __asm volatile("wfi");
    SCB_SCR &= ~SCB_SCR_SLEEPDEEP;
}

static uint32_t arg_number(const char *s, uint32_t fallback)
{
    return (s && *s) ? (uint32_t)strtoul(s, NULL, 0) : fallback;
}

int main(void)
{
    char cmdline[128] = "";
    mcusim_cmdline(cmdline, sizeof cmdline);
    char *words[4] = {0};
    unsigned nw = 0;
    for (char *t = strtok(cmdline, " "); t && nw < 4; t = strtok(NULL, " ")) words[nw++] = t;
    const char *mode = nw > 1 ? words[1] : "stop2";
    const uint32_t n = arg_number(nw > 2 ? words[2] : NULL, 5);

    backup_access();
    if (strcmp(mode, "standby") == 0) {
        if (PWR->SR1 & PWR_SR1_SBF) {
            PWR->SCR = PWR_SCR_CSBF; /* __HAL_PWR_CLEAR_FLAG(PWR_FLAG_SB) */
            uint32_t count = ++RTC->BKPR[0];
            printf("woke from standby (SBF set), wake-up %lu\n", (unsigned long)count);
            if (count >= n) {
                printf("standby wake-ups %lu\n", (unsigned long)count);
                return 0;
            }
            NVIC_ISER(RTC_WKUP_IRQn / 32) = 1UL << (RTC_WKUP_IRQn % 32); /* the RTC kept running */
        } else {
            rtc_clock_from_lse();
            rtc_init();
            RTC->BKPR[0] = 0;
            rtc_wakeup_it(arg_number(nw > 3 ? words[3] : NULL, 5199));
            printf("cold start, entering standby\n");
        }
        work();
        /* HAL_PWR_EnterSTANDBYMode after clearing the wake-up flags. */
        RTC->ISR = (~(RTC_ISR_WUTF | RTC_ISR_INIT) & 0x0001FFFFUL) | (RTC->ISR & RTC_ISR_INIT);
        PWR->SCR = PWR_SCR_CWUF;
        enter_low_power(PWR_CR1_LPMS_STANDBY);
        printf("standby did not reset the core\n");
        return 2;
    }

    uint32_t lpms = PWR_CR1_LPMS_STOP2;
    if (strcmp(mode, "stop0") == 0) lpms = PWR_CR1_LPMS_STOP0;
    else if (strcmp(mode, "stop1") == 0) lpms = PWR_CR1_LPMS_STOP1;
    if (strcmp(mode, "lptim") == 0) {
        relocate_vectors();
        lptim_start_it(arg_number(nw > 3 ? words[3] : NULL, 99));
    } else {
        rtc_clock_from_lse();
        rtc_init();
        rtc_wakeup_it(arg_number(nw > 3 ? words[3] : NULL, 5199));
    }
    unsigned loops = 0;
    while (wakeups < n) {
        work();
        enter_low_power(lpms);
        loops++;
    }
    printf("%s: %u wake-ups in %u low-power entries\n", mode, wakeups, loops);
    return 0;
}
