/* A duty-cycled TinyML loop: SysTick wakes the core every period (10 ms), it
 * runs one small int8 inference (a dense 64 -> 32 layer with requantisation
 * and ReLU), then sleeps in WFI with SCB->SCR.SLEEPDEEP set until the next
 * tick. After N periods it prints a checksum and exits.
 *
 * Command line (semihosting): "dutycycle [light] [onexit] [kws] [N]"
 *   N       number of periods (default DUTY_PERIODS)
 *   kws     a keyword-spotting-sized inference: the layer runs KWS_REPS
 *           times (2,656,256 multiply-accumulates, the MLPerf Tiny KWS
 *           DS-CNN's 2,656,768 to within 0.02%)
 *   light   sleep with SLEEPDEEP clear (plain sleep instead of deep sleep)
 *   onexit  run the inference in the SysTick handler and sleep with
 *           SCR.SLEEPONEXIT instead of a WFI loop
 *
 * The clock comes from SYS_TICKFREQ (mcusim answers with the core clock);
 * without it, DUTY_DEFAULT_HZ. The inference is bracketed with the layer
 * markers (docs/markers.md) as one invocation holding one layer. The
 * requantisation runs from SRAM (a .ramfunc function copied there by the
 * start-up code), as firmware often places hot code in RAM; on the Cortex-M7
 * build (stm32h7a3, whose linked RAM is DTCM, which cannot fetch instructions)
 * it stays in flash. */
#include <stdint.h>
#include <stdio.h>

#include "mcusim.h"

#ifndef DUTY_PERIODS
#define DUTY_PERIODS 10u
#endif
#ifndef DUTY_PERIOD_MS
#define DUTY_PERIOD_MS 10u
#endif
#ifndef DUTY_DEFAULT_HZ
#define DUTY_DEFAULT_HZ 64000000u
#endif

#define IN 64
#define OUT 32
#define KWS_REPS 1297u /* 1297 x 64 x 32 = 2,656,256 MACs */
#define SCB_SCR_SLEEPDEEP (1u << 2)
#define SCB_SCR_SLEEPONEXIT (1u << 1)

#if defined(__ARM_FP) && (__ARM_FP & 8)
#define DUTY_RAMFUNC __attribute__((noinline))
#else
#define DUTY_RAMFUNC __attribute__((section(".ramfunc"), noinline, long_call))
#endif

static int8_t input[IN];
static int8_t output[OUT];
#include "dutycycle_weights.h"
static const int32_t bias[OUT] = {3, -7, 12, 0, -1, 5, 9, -4, 2, 8, -6, 1, 0, 4, -3, 7,
                                  -2, 6, 11, -9, 3, 0, -5, 2, 1, -1, 4, 10, -8, 6, 2, -3};

static const mcusim_layer_t L_invoke = {"dutycycle", MCUSIM_INVOKE_OP, 0};
static const mcusim_layer_t L_fc = {"fc1", "FULLY_CONNECTED", OUT * IN};
static const mcusim_layer_t L_fc_kws = {"fc1", "FULLY_CONNECTED", OUT * IN * KWS_REPS};
static uint32_t reps = 1; /* layer repetitions per inference (kws: KWS_REPS) */

static volatile uint32_t ticks;
static uint32_t checksum;
static volatile uint32_t isr_periods_left; /* onexit: periods the handler still runs */
static uint32_t isr_period;

static void run_period(uint32_t p);

void SysTick_Handler(void) {
  ticks++;
  if (isr_periods_left) {
    run_period(isr_period++);
    if (--isr_periods_left == 0) SCB_SCR &= ~SCB_SCR_SLEEPONEXIT; /* back to main */
  }
}

/* Requantise an accumulator to int8 (multiplier 1/512, rounding) and apply ReLU. */
DUTY_RAMFUNC static int8_t requantise_relu(int32_t acc) {
  int32_t v = (acc + 256) >> 9;
  if (v < 0) v = 0;
  if (v > 127) v = 127;
  return (int8_t)v;
}

static void dense(void) {
  for (int o = 0; o < OUT; o++) {
    int32_t acc = bias[o];
    const int8_t *w = weights[o];
    for (int i = 0; i < IN; i++) acc += (int32_t)input[i] * w[i];
    output[o] = requantise_relu(acc);
  }
}

/* The "sensor sample" of period p. */
static void sample(uint32_t p) {
  for (int i = 0; i < IN; i++) input[i] = (int8_t)(uint8_t)(p * 31u + (uint32_t)i * 17u);
}

/* One period's work, from the sensor sample to the result: the invocation. */
static void run_period(uint32_t p) {
  mcusim_layer_begin(&L_invoke);
  sample(p);
  mcusim_layer_begin(reps == 1 ? &L_fc : &L_fc_kws);
  for (uint32_t r = 0; r < reps; r++) dense();
  mcusim_layer_end();
  for (int o = 0; o < OUT; o++) checksum = checksum * 31u + (uint8_t)output[o];
  mcusim_layer_end();
}

/* Whether the semihosting command line has the word `w`. */
static int cmdline_has(const char *w) {
  char buf[128];
  if (mcusim_cmdline(buf, sizeof buf) < 0) return 0;
  for (const char *p = buf; *p; p++) {
    if (p != buf && p[-1] != ' ') continue;
    int i = 0;
    while (w[i] && p[i] == w[i]) i++;
    if (!w[i] && (p[i] == ' ' || p[i] == '\0')) return 1;
  }
  return 0;
}

int main(void) {
  const uint32_t periods = mcusim_cmdline_number(DUTY_PERIODS);
  const int light = cmdline_has("light"), onexit = cmdline_has("onexit");
  if (cmdline_has("kws")) reps = KWS_REPS;
  int hz = mcusim_semihost(MCUSIM_SYS_TICKFREQ, 0);
  if (hz <= 0) hz = (int)DUTY_DEFAULT_HZ;
  uint32_t reload = (uint32_t)hz / 1000u * DUTY_PERIOD_MS;
  if (reload > 0x1000000u) reload = 0x1000000u; /* SysTick is 24 bits */

  if (light) SCB_SCR &= ~SCB_SCR_SLEEPDEEP;
  else SCB_SCR |= SCB_SCR_SLEEPDEEP;
  SYST_RVR = reload - 1u;
  SYST_CVR = 0;
  SYST_CSR = SYST_CSR_ENABLE | SYST_CSR_TICKINT | SYST_CSR_CLKSOURCE;

  if (onexit) {
    /* The handler runs every period; between them the core sleeps on its
     * exception return, and comes back here after the last one. */
    isr_periods_left = periods;
    if (periods) SCB_SCR |= SCB_SCR_SLEEPONEXIT;
    while (isr_periods_left) mcusim_wfi();
  } else {
    uint32_t seen = ticks;
    for (uint32_t p = 0; p < periods; p++) {
      while (ticks == seen) mcusim_wfi(); /* sleep until the next tick */
      seen = ticks;
      run_period(p);
    }
  }
  SYST_CSR = 0;
  SCB_SCR &= ~SCB_SCR_SLEEPDEEP;
  printf("dutycycle: %lu periods of %u ms, %s sleep%s, checksum %08lx\n", (unsigned long)periods, DUTY_PERIOD_MS,
         light ? "light" : "deep", onexit ? " on exit" : "", (unsigned long)checksum);
  return 0;
}
