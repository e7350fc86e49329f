/*
 * nrf - nrfx-style bring-up of the nRF52840 at register level, the way the
 * nrfx drivers (nrfx_clock, nrfx_uarte, nrfx_rtc, nrfx_timer, nrf_gpio) do
 * it (nRF52840 Product Specification v1.7):
 *
 *   1. HFCLK: TASKS_HFCLKSTART, wait for EVENTS_HFCLKSTARTED (the HFXO);
 *      LFCLK from the 32.768 kHz crystal: TASKS_LFCLKSTART, wait for
 *      EVENTS_LFCLKSTARTED. The cycles each wait took are printed.
 *   2. UARTE0 at 115200 baud with EasyDMA: a line is sent from a RAM buffer,
 *      waiting for EVENTS_ENDTX; TXD.AMOUNT and the cycles from STARTTX to
 *      ENDTX are printed (the same text also goes out over semihosting, which
 *      is what the test harness reads).
 *   3. TIMER0 (1 MHz, CC[0] = 1000, SHORTS COMPARE0_CLEAR): 10 compare
 *      interrupts counted over a WFI loop; the cycles between them.
 *   4. RTC0 (PRESCALER 0, CC[0] += 4096 in its interrupt: 125 ms): 4 compare
 *      interrupts counted over a WFI loop, toggling the LED on P0.13 (as on
 *      the nRF52840 DK); the cycles between them.
 *   5. System OFF (POWER->SYSTEMOFF = 1): the run ends there.
 *
 *   nrf          all of it
 *   nrf exit     the same, but ends with a semihosting exit(0) instead of System OFF
 */
#include <stdio.h>
#include <string.h>

#include "mcusim.h"
#include "nrf52840_regs.h"

#define LED_PIN 13u
#define RTC_PERIOD_TICKS 4096u /* 4096 / 32768 Hz = 125 ms */
#define RTC_PERIODS 4u
#define TIMER_CC 1000u         /* 1000 ticks at 1 MHz = 1 ms */
#define TIMER_PERIODS 10u

static volatile uint32_t rtc_count, timer_count;
static volatile uint32_t rtc_at[RTC_PERIODS], timer_at[TIMER_PERIODS];

static void nvic_enable(unsigned irq)
{
    NVIC_IPR(irq / 4) |= (6u << 5) << (8 * (irq % 4)); /* priority 6 of 0..7, as nrfx's default */
    NVIC_ICPR(irq / 32) = 1u << (irq % 32);
    NVIC_ISER(irq / 32) = 1u << (irq % 32);
}

/* nrfx_clock: start a clock and wait for its event (blocking). */
static uint32_t hfclk_start(void)
{
    uint32_t t0 = mcusim_cycles();
    NRF_CLOCK->EVENTS_HFCLKSTARTED = 0;
    NRF_CLOCK->TASKS_HFCLKSTART = 1;
    while (NRF_CLOCK->EVENTS_HFCLKSTARTED == 0) {
    }
    NRF_CLOCK->EVENTS_HFCLKSTARTED = 0;
    return mcusim_cycles() - t0;
}

static uint32_t lfclk_start(uint32_t src)
{
    uint32_t t0 = mcusim_cycles();
    NRF_CLOCK->LFCLKSRC = src;
    NRF_CLOCK->EVENTS_LFCLKSTARTED = 0;
    NRF_CLOCK->TASKS_LFCLKSTART = 1;
    while (NRF_CLOCK->EVENTS_LFCLKSTARTED == 0) {
    }
    NRF_CLOCK->EVENTS_LFCLKSTARTED = 0;
    return mcusim_cycles() - t0;
}

/* nrfx_uarte: EasyDMA reads Data RAM only, so the text is copied to a RAM buffer first. */
static uint8_t uarte_buf[128];
static uint32_t uarte_cycles, uarte_amount;

static void uarte_init(void)
{
    NRF_UARTE0->PSEL.TXD = 6;  /* P0.06, the DK's VCOM TXD */
    NRF_UARTE0->PSEL.RXD = 8;  /* P0.08 */
    NRF_UARTE0->BAUDRATE = UARTE_BAUDRATE_Baud115200;
    NRF_UARTE0->CONFIG = 0;    /* 8N1, no flow control */
    NRF_UARTE0->ENABLE = UARTE_ENABLE_ENABLE_Enabled;
}

static void uarte_write(const char *s)
{
    size_t n = strlen(s);
    if (n > sizeof uarte_buf) n = sizeof uarte_buf;
    memcpy(uarte_buf, s, n);
    NRF_UARTE0->TXD.PTR = (uint32_t)(uintptr_t)uarte_buf;
    NRF_UARTE0->TXD.MAXCNT = n;
    NRF_UARTE0->EVENTS_ENDTX = 0;
    uint32_t t0 = mcusim_cycles();
    NRF_UARTE0->TASKS_STARTTX = 1;
    while (NRF_UARTE0->EVENTS_ENDTX == 0) {
    }
    uarte_cycles = mcusim_cycles() - t0;
    NRF_UARTE0->EVENTS_ENDTX = 0;
    uarte_amount = NRF_UARTE0->TXD.AMOUNT;
    mcusim_puts(s); /* for the test harness */
}

void IRQ8_Handler(void) /* TIMER0 */
{
    if (NRF_TIMER0->EVENTS_COMPARE[0]) {
        NRF_TIMER0->EVENTS_COMPARE[0] = 0;
        (void)NRF_TIMER0->EVENTS_COMPARE[0]; /* read back: the event is cleared before the ISR returns */
        if (timer_count < TIMER_PERIODS) timer_at[timer_count] = mcusim_cycles();
        timer_count++;
    }
}

void IRQ11_Handler(void) /* RTC0 */
{
    if (NRF_RTC0->EVENTS_COMPARE[0]) {
        NRF_RTC0->EVENTS_COMPARE[0] = 0;
        (void)NRF_RTC0->EVENTS_COMPARE[0];
        NRF_RTC0->CC[0] = (NRF_RTC0->CC[0] + RTC_PERIOD_TICKS) & 0xFFFFFFu;
        if (rtc_count < RTC_PERIODS) rtc_at[rtc_count] = mcusim_cycles();
        rtc_count++;
        if (NRF_P0->OUT & (1u << LED_PIN)) NRF_P0->OUTCLR = 1u << LED_PIN;
        else NRF_P0->OUTSET = 1u << LED_PIN;
    }
}

static void print_periods(const char *name, volatile uint32_t *at, unsigned n)
{
    uint32_t lo = 0xFFFFFFFFu, hi = 0;
    for (unsigned i = 1; i < n; i++) {
        uint32_t d = at[i] - at[i - 1];
        if (d < lo) lo = d;
        if (d > hi) hi = d;
    }
    printf("%s compare period %lu..%lu cycles over %u interrupts\n", name, (unsigned long)lo, (unsigned long)hi, n);
}

int main(void)
{
    char cmdline[64] = "";
    mcusim_cmdline(cmdline, sizeof cmdline);
    const char *arg = strchr(cmdline, ' ');
    arg = arg ? arg + 1 : "";

    mcusim_cycles_init();
    uint32_t hf = hfclk_start();
    uint32_t lf = lfclk_start(CLOCK_LFCLKSRC_SRC_Xtal);
    printf("HFCLKSTARTED after %lu cycles, HFCLKSTAT %08lx\n", (unsigned long)hf, (unsigned long)NRF_CLOCK->HFCLKSTAT);
    printf("LFCLKSTARTED after %lu cycles, LFCLKSTAT %08lx\n", (unsigned long)lf, (unsigned long)NRF_CLOCK->LFCLKSTAT);

    uarte_init();
    uarte_write("Hello from UARTE0 with EasyDMA\r\n");
    printf("UARTE0 TXD.AMOUNT %lu, ENDTX after %lu cycles\n", (unsigned long)uarte_amount, (unsigned long)uarte_cycles);

    /* LED: P0.13 output, high = off on the DK (active low); start low. */
    NRF_P0->PIN_CNF[LED_PIN] = GPIO_PIN_CNF_DIR_Output | GPIO_PIN_CNF_INPUT_Disconnect;
    NRF_P0->OUTCLR = 1u << LED_PIN;

    /* TIMER0: 1 MHz, compare every 1 ms, cleared by the shortcut. */
    NRF_TIMER0->TASKS_STOP = 1;
    NRF_TIMER0->TASKS_CLEAR = 1;
    NRF_TIMER0->MODE = TIMER_MODE_Timer;
    NRF_TIMER0->BITMODE = TIMER_BITMODE_32Bit;
    NRF_TIMER0->PRESCALER = 4;
    NRF_TIMER0->CC[0] = TIMER_CC;
    NRF_TIMER0->SHORTS = TIMER_SHORTS_COMPARE0_CLEAR;
    NRF_TIMER0->INTENSET = TIMER_INTEN_COMPARE0;
    nvic_enable(TIMER0_IRQn);
    NRF_TIMER0->TASKS_START = 1;
    while (timer_count < TIMER_PERIODS) __asm volatile("wfi");
    NRF_TIMER0->TASKS_STOP = 1;
    NRF_TIMER0->INTENCLR = TIMER_INTEN_COMPARE0;
    print_periods("TIMER0", timer_at, TIMER_PERIODS);

    /* RTC0: 32.768 kHz, compare every 4096 ticks. */
    NRF_RTC0->PRESCALER = 0;
    NRF_RTC0->CC[0] = RTC_PERIOD_TICKS;
    NRF_RTC0->EVTENSET = RTC_EVTEN_COMPARE0;
    NRF_RTC0->INTENSET = RTC_INTEN_COMPARE0;
    nvic_enable(RTC0_IRQn);
    NRF_RTC0->TASKS_CLEAR = 1;
    NRF_RTC0->TASKS_START = 1;
    while (rtc_count < RTC_PERIODS) __asm volatile("wfi");
    NRF_RTC0->TASKS_STOP = 1;
    print_periods("RTC0", rtc_at, RTC_PERIODS);
    printf("RTC0 COUNTER %lu, LED P0.%u %s after %lu toggles\n", (unsigned long)NRF_RTC0->COUNTER, LED_PIN,
           (NRF_P0->OUT & (1u << LED_PIN)) ? "high" : "low", (unsigned long)rtc_count);
    fflush(stdout);

    if (strcmp(arg, "exit") == 0) mcusim_exit(0);
    NRF_POWER->SYSTEMOFF = POWER_SYSTEMOFF_Enter;
    __asm volatile("dsb");
    for (;;) __asm volatile("wfe"); /* nrf_power_system_off: System OFF under a debugger */
}
