/* Fixed-point DSP: a 32-tap Q15 FIR filter over 512 samples, with saturation. */
#include "workload.h"

#define TAPS 32
#define LEN 512

int main(void) {
  unsigned reps = workload_reps(10);
  static int16_t x[LEN + TAPS], y[LEN], h[TAPS];
  for (int i = 0; i < TAPS; i++) h[i] = (int16_t)((i < TAPS / 2 ? i : TAPS - i) * 900);
  for (int i = 0; i < LEN + TAPS; i++) x[i] = (int16_t)(((i * 2654435761u) >> 18) & 0x7FFF) - 16384;
  uint32_t sum = 0;
  for (unsigned r = 0; r < reps; r++) {
    for (int n = 0; n < LEN; n++) {
      int32_t acc = 0;
      for (int k = 0; k < TAPS; k++) acc += (int32_t)x[n + k] * h[k];
      acc >>= 15;
      y[n] = (int16_t)(acc > 32767 ? 32767 : acc < -32768 ? -32768 : acc);
    }
    for (int n = 0; n < LEN; n += 17) sum += (uint16_t)y[n];
    x[r % LEN] = y[r % LEN];
  }
  return workload_done("fir", reps, sum);
}
